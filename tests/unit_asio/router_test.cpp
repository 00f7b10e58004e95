#include "eudiplo_sse/asio/router.hpp"

#include "catch.hpp"
#include "fake_exchange.hpp"

using namespace eudiplo_sse::http;
using Kind = Router::Match::Kind;

namespace {

Router make_router(std::string_view base, std::vector<std::string>& calls) {
  Router r(base);
  auto record = [&calls](std::string name) {
    return [&calls, name](HttpExchange&, const RouteParams& p) {
      std::string c = name;
      for (const auto& s : p) c += ":" + s;
      calls.push_back(c);
    };
  };
  r.add("POST", "/session", record("create"));
  r.add("GET", "/session/{id}", record("get"));
  r.add("PATCH", "/session/{id}", record("patch"));
  r.add("GET", "/session/{id}/events", record("events"));
  return r;
}

}  // namespace

TEST_CASE("routes match by method and segments, with decoded params", "[router]") {
  std::vector<std::string> calls;
  const Router r = make_router("", calls);
  auto m = r.match("GET", "/session/a%2Eb/events");
  REQUIRE(m.kind == Kind::found);
  REQUIRE(m.params == RouteParams{"a.b"});
  eudiplo_sse::test::FakeExchange ex(eudiplo_sse::test::make_request("GET", "/"));
  (*m.handler)(ex, m.params);
  CHECK(calls == std::vector<std::string>{"events:a.b"});
  m = r.match("PATCH", "/session/x");
  REQUIRE(m.kind == Kind::found);
  CHECK(m.params == RouteParams{"x"});
  CHECK(r.match("POST", "/session").kind == Kind::found);
}

TEST_CASE("a path with no route is not_found; a route with another method is 405", "[router]") {
  std::vector<std::string> calls;
  const Router r = make_router("", calls);
  CHECK(r.match("GET", "/nope").kind == Kind::not_found);
  CHECK(r.match("GET", "/session/").kind == Kind::not_found);  // empty id
  CHECK(r.match("GET", "/session/a/b").kind == Kind::not_found);
  CHECK(r.match("GET", "/").kind == Kind::not_found);
  const auto m = r.match("DELETE", "/session/x");
  CHECK(m.kind == Kind::method_not_allowed);
  CHECK(m.allow == "GET, HEAD, PATCH");
}

TEST_CASE("HEAD is served by the GET route", "[router]") {
  std::vector<std::string> calls;
  const Router r = make_router("", calls);
  const auto m = r.match("HEAD", "/session/x");
  REQUIRE(m.kind == Kind::found);
  CHECK(m.params == RouteParams{"x"});
  CHECK(r.match("HEAD", "/session").kind == Kind::method_not_allowed);
}

TEST_CASE("an id holding an encoded '/' stays one segment", "[router]") {
  std::vector<std::string> calls;
  const Router r = make_router("", calls);
  const auto m = r.match("GET", "/session/a%2Fb");
  REQUIRE(m.kind == Kind::found);
  CHECK(m.params == RouteParams{"a/b"});
  CHECK(r.match("GET", "/session/a%zz").kind == Kind::bad_path);
}

TEST_CASE("a base path mounts every route under it", "[router]") {
  std::vector<std::string> calls;
  const Router r = make_router("/api/v1/", calls);
  CHECK(r.match("POST", "/session").kind == Kind::not_found);
  CHECK(r.match("POST", "/api/v1/session").kind == Kind::found);
  CHECK(r.match("POST", "/api/session").kind == Kind::not_found);
  CHECK(r.match("GET", "/api/v1/session/x/events").params == RouteParams{"x"});
}

TEST_CASE("normalize_base_path", "[router]") {
  std::string out;
  CHECK(normalize_base_path("/api/", out));
  CHECK(out == "/api");
  CHECK(normalize_base_path("api", out));
  CHECK(out == "/api");
  CHECK(normalize_base_path("/", out));
  CHECK(out.empty());
  CHECK(normalize_base_path("", out));
  CHECK(out.empty());
  CHECK_FALSE(normalize_base_path("/a b", out));
  CHECK_FALSE(normalize_base_path("/a?b", out));
  CHECK_FALSE(normalize_base_path("/../x", out));
}
