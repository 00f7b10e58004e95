#include "eudiplo_sse/asio/cors.hpp"

#include "catch.hpp"
#include "fake_exchange.hpp"

using namespace eudiplo_sse::http;

namespace {

std::string value_of(const std::vector<HttpField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

}  // namespace

TEST_CASE("no origins configured: no CORS fields at all", "[cors]") {
  const CorsPolicy cors;
  CHECK_FALSE(cors.enabled());
  CHECK(cors.response_fields("https://a.example").empty());
}

TEST_CASE("listed origins are echoed, with Vary and credentials", "[cors]") {
  const CorsPolicy cors({"https://a.example/", "http://b.example:8080"});
  CHECK(cors.allows("https://a.example"));
  CHECK(cors.allows("http://b.example:8080"));
  CHECK_FALSE(cors.allows("http://b.example"));
  CHECK_FALSE(cors.allows(""));
  const auto f = cors.response_fields("https://a.example");
  CHECK(value_of(f, "Access-Control-Allow-Origin") == "https://a.example");
  CHECK(value_of(f, "Access-Control-Allow-Credentials") == "true");
  CHECK(value_of(f, "Vary") == "Origin");
  const auto refused = cors.response_fields("https://c.example");
  CHECK(value_of(refused, "Access-Control-Allow-Origin").empty());
  CHECK(value_of(refused, "Vary") == "Origin");
}

TEST_CASE("'*' allows any origin without credentials", "[cors]") {
  const CorsPolicy cors({"*"});
  const auto f = cors.response_fields("https://anything.example");
  CHECK(value_of(f, "Access-Control-Allow-Origin") == "*");
  CHECK(value_of(f, "Access-Control-Allow-Credentials").empty());
}

TEST_CASE("preflight answers with methods, headers and max-age", "[cors]") {
  const CorsPolicy cors({"https://a.example"});
  const auto req = eudiplo_sse::test::make_request(
      "OPTIONS", "/session/x",
      {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "PATCH"}});
  CHECK(CorsPolicy::is_preflight(req));
  const auto r = cors.preflight(req, "GET, PATCH");
  CHECK(r.status == 204);
  CHECK(value_of(r.fields, "Access-Control-Allow-Methods") == "GET, PATCH, OPTIONS");
  CHECK(value_of(r.fields, "Access-Control-Allow-Headers") ==
        "Authorization, Content-Type, Last-Event-ID");
  CHECK_FALSE(value_of(r.fields, "Access-Control-Max-Age").empty());

  const auto other = eudiplo_sse::test::make_request(
      "OPTIONS", "/session/x",
      {{"Origin", "https://z.example"}, {"Access-Control-Request-Method", "GET"}});
  CHECK(value_of(cors.preflight(other, "GET").fields, "Access-Control-Allow-Origin").empty());
  CHECK_FALSE(CorsPolicy::is_preflight(eudiplo_sse::test::make_request("OPTIONS", "/")));
}
