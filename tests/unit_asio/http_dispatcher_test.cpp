#include "eudiplo_sse/asio/http_dispatcher.hpp"

#include <stdexcept>

#include "catch.hpp"
#include "fake_exchange.hpp"

using namespace eudiplo_sse::http;
using eudiplo_sse::test::FakeExchange;
using eudiplo_sse::test::make_request;

namespace {

HttpDispatcher make_dispatcher(std::vector<std::string> origins = {}) {
  Router r("/api");
  r.add("GET", "/ok",
        [](HttpExchange& ex, const RouteParams&) { ex.respond(HttpResponse::json(200, "{}")); });
  r.add("GET", "/throws",
        [](HttpExchange&, const RouteParams&) { throw std::runtime_error("secret detail"); });
  r.add("GET", "/silent", [](HttpExchange&, const RouteParams&) {});
  return HttpDispatcher(std::move(r), CorsPolicy(std::move(origins)));
}

}  // namespace

TEST_CASE("dispatch answers 404 and 405 with JSON bodies", "[dispatcher]") {
  const auto d = make_dispatcher();
  FakeExchange not_found(make_request("GET", "/ok"));
  d(not_found);
  CHECK(not_found.response().status == 404);
  CHECK(not_found.response().body.find("\"statusCode\":404") != std::string::npos);

  FakeExchange wrong(make_request("POST", "/api/ok"));
  d(wrong);
  CHECK(wrong.response().status == 405);
  CHECK(wrong.field("Allow") == "GET, HEAD");
}

TEST_CASE("bad percent-encoding in path or query is a 400", "[dispatcher]") {
  const auto d = make_dispatcher();
  FakeExchange path(make_request("GET", "/api/o%zk"));
  d(path);
  CHECK(path.response().status == 400);
  FakeExchange query(make_request("GET", "/api/ok?token=%G1"));
  d(query);
  CHECK(query.response().status == 400);
  CHECK(query.response().body.find("G1") == std::string::npos);
}

TEST_CASE("a throwing or silent handler becomes a 500 without details", "[dispatcher]") {
  const auto d = make_dispatcher();
  FakeExchange t(make_request("GET", "/api/throws"));
  d(t);
  CHECK(t.response().status == 500);
  CHECK(t.response().body.find("secret") == std::string::npos);
  FakeExchange s(make_request("GET", "/api/silent"));
  d(s);
  CHECK(s.response().status == 500);
  CHECK(s.answers == 1);
}

TEST_CASE("CORS fields are added to answers for allowed origins only", "[dispatcher]") {
  const auto d = make_dispatcher({"https://app.example"});
  FakeExchange allowed(make_request("GET", "/api/ok", {{"Origin", "https://app.example"}}));
  d(allowed);
  CHECK(allowed.field("Access-Control-Allow-Origin") == "https://app.example");
  FakeExchange other(make_request("GET", "/api/ok", {{"Origin", "https://evil.example"}}));
  d(other);
  CHECK(other.field("Access-Control-Allow-Origin").empty());
  CHECK(other.response().status == 200);
}

TEST_CASE("a preflight is answered without reaching the handler", "[dispatcher]") {
  const auto d = make_dispatcher({"*"});
  FakeExchange pre(make_request("OPTIONS", "/api/ok",
                                {{"Origin", "https://x.example"},
                                 {"Access-Control-Request-Method", "GET"},
                                 {"Access-Control-Request-Headers", "authorization"}}));
  d(pre);
  CHECK(pre.response().status == 204);
  CHECK(pre.field("Access-Control-Allow-Origin") == "*");
  CHECK(pre.field("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS");
  const auto headers = pre.field("Access-Control-Allow-Headers");
  CHECK(headers.find("Authorization") != std::string::npos);
  CHECK(headers.find("Last-Event-ID") != std::string::npos);
  CHECK(headers.find("Content-Type") != std::string::npos);

  FakeExchange unknown(make_request("OPTIONS", "/api/none", {{"Origin", "https://x.example"}}));
  d(unknown);
  CHECK(unknown.response().status == 404);
}
