// OpenID Connect discovery documents (oidc_discovery.hpp): jwks_uri taken only
// from a document whose issuer is exactly the configured one.
#include "oidc_discovery.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::server::openid_configuration_url;
using eudiplo_sse::server::parse_openid_configuration;

TEST_CASE("the configuration URL of an issuer", "[oidc]") {
  CHECK(openid_configuration_url("https://idp.example/realms/r") ==
        "https://idp.example/realms/r/.well-known/openid-configuration");
  CHECK(openid_configuration_url("https://idp.example/") ==
        "https://idp.example/.well-known/openid-configuration");
}

TEST_CASE("jwks_uri comes only from the configured issuer's document", "[oidc]") {
  const std::string issuer = "https://idp.example/realms/r";
  std::string uri;
  std::string error;
  REQUIRE(parse_openid_configuration(
      R"({"issuer":"https://idp.example/realms/r","jwks_uri":"https://idp.example/realms/r/certs"})",
      issuer, uri, error));
  CHECK(uri == "https://idp.example/realms/r/certs");

  const char* bad[] = {
      R"({"issuer":"https://evil.example/realms/r","jwks_uri":"https://evil.example/certs"})",
      R"({"issuer":"https://idp.example/realms/r/","jwks_uri":"https://idp.example/certs"})",
      R"({"jwks_uri":"https://idp.example/certs"})",
      R"({"issuer":"https://idp.example/realms/r"})",
      R"({"issuer":"https://idp.example/realms/r","jwks_uri":"http://idp.example/certs"})",
      R"({"issuer":"https://idp.example/realms/r","jwks_uri":42})",
      R"(["issuer"])",
      "not json",
  };
  for (const char* doc : bad) {
    INFO(doc);
    std::string u;
    std::string e;
    CHECK_FALSE(parse_openid_configuration(doc, issuer, u, e));
    CHECK_FALSE(e.empty());
    CHECK(u.empty());
  }
}
