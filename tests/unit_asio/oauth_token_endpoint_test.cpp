#include "oauth_token_endpoint.hpp"

#include <rapidjson/document.h>

#include "catch.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "fake_exchange.hpp"

using namespace eudiplo_sse;
using namespace eudiplo_sse::server;
using eudiplo_sse::test::make_request;

namespace {

constexpr std::string_view secret = "unit-test-secret-0123456789abcdef-0123";

OAuthTokenEndpoint make_endpoint(std::string audience = {}) {
  TokenIssuerOptions o;
  o.secret = std::string(secret);
  o.issuer = "eudiplo-service";
  o.audience = std::move(audience);
  o.tenant_claim = "tenant_id";
  o.clients = {{"demo", "demo-secret", "demo"}, {"other", "s:e:c", "tenant-b"}};
  return OAuthTokenEndpoint(std::move(o));
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE(d.IsObject());
  return d;
}

std::string token_of(const http::HttpResponse& r) {
  REQUIRE(r.status == 200);
  auto d = json(r.body);
  CHECK(std::string(d["token_type"].GetString()) == "Bearer");
  CHECK(d["expires_in"].GetInt() == 3600);
  return d["access_token"].GetString();
}

Principal verify(const std::string& token, std::string audience = {}) {
  JwtVerifierOptions vo;
  vo.issuer = "eudiplo-service";
  vo.audience = std::move(audience);
  JwtVerifier v(vo);
  REQUIRE_FALSE(v.add_hmac_secret(secret));
  auto r = v.verify(token, system_now());
  REQUIRE_FALSE(r.error);
  return r.principal;
}

}  // namespace

TEST_CASE("base64_decode", "[oauth]") {
  CHECK(base64_decode("ZGVtbzpkZW1vLXNlY3JldA==") ==
        std::optional<std::string>("demo:demo-secret"));
  CHECK(base64_decode("YQ==") == std::optional<std::string>("a"));
  CHECK(base64_decode("YWI=") == std::optional<std::string>("ab"));
  CHECK(base64_decode("") == std::optional<std::string>(""));
  CHECK_FALSE(base64_decode("YQ="));
  CHECK_FALSE(base64_decode("Y=Q="));
  CHECK_FALSE(base64_decode("YQ==YQ=="));
  CHECK_FALSE(base64_decode("Y$=="));
}

TEST_CASE("HTTP Basic credentials get a token for the client's tenant", "[oauth]") {
  const auto ep = make_endpoint();
  const auto r = ep.handle(
      make_request("POST", "/oauth2/token", {{"Authorization", "Basic ZGVtbzpkZW1vLXNlY3JldA=="}}),
      system_now());
  bool no_store = false;
  for (const auto& f : r.fields)
    no_store = no_store || (f.name == "Cache-Control" && f.value == "no-store");
  CHECK(no_store);
  const auto p = verify(token_of(r));
  CHECK(p.tenant == "demo");
  CHECK(p.subject == "demo");
  CHECK(p.roles == std::vector<std::string>{"issuance:offer", "presentation:offer"});
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(p.expires_at - system_now());
  CHECK(lifetime.count() > 3590);
  CHECK(lifetime.count() <= 3600 + 30);  // exp plus the verifier's default leeway
}

TEST_CASE("form and JSON bodies carry credentials too", "[oauth]") {
  const auto ep = make_endpoint("api://sse");
  const auto form = ep.handle(
      make_request("POST", "/oauth2/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                   "grant_type=client_credentials&client_id=other&client_secret=s%3Ae%3Ac"),
      system_now());
  CHECK(verify(token_of(form), "api://sse").tenant == "tenant-b");
  const auto js =
      ep.handle(make_request("POST", "/oauth2/token", {{"Content-Type", "application/json"}},
                             R"({"client_id":"demo","client_secret":"demo-secret"})"),
                system_now());
  CHECK(verify(token_of(js), "api://sse").tenant == "demo");
}

TEST_CASE("wrong clients get 401 in the contract's error format", "[oauth]") {
  const auto ep = make_endpoint();
  for (const auto& body :
       {std::string(R"({"client_id":"demo","client_secret":"nope"})"),
        std::string(R"({"client_id":"ghost","client_secret":"demo-secret"})"), std::string("{}")}) {
    const auto r = ep.handle(
        make_request("POST", "/oauth2/token", {{"Content-Type", "application/json"}}, body),
        system_now());
    CHECK(r.status == 401);
    auto d = json(r.body);
    CHECK(d["statusCode"].GetInt() == 401);
    CHECK(std::string(d["error"].GetString()) == "Unauthorized");
    CHECK(d.HasMember("message"));
    CHECK(r.body.find("nope") == std::string::npos);
  }
  const auto basic = ep.handle(
      make_request("POST", "/oauth2/token", {{"Authorization", "Basic !!!"}}), system_now());
  CHECK(basic.status == 401);
}

TEST_CASE("other grant types and malformed bodies are 400", "[oauth]") {
  const auto ep = make_endpoint();
  CHECK(
      ep.handle(make_request("POST", "/t", {{"Content-Type", "application/x-www-form-urlencoded"}},
                             "grant_type=password&client_id=demo&client_secret=demo-secret"),
                system_now())
          .status == 400);
  CHECK(ep.handle(
              make_request("POST", "/t", {{"Content-Type", "application/json"}}, "{\"client_id\":"),
              system_now())
            .status == 400);
  CHECK(ep.handle(make_request("POST", "/t", {{"Content-Type", "application/json"}},
                               R"({"client_id":1})"),
                  system_now())
            .status == 400);
}
