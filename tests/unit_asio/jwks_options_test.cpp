// The key-source flags of eudiplo_sse_server (server_options.hpp): --jwks-url,
// --jwks-refresh, --jwks-min-refresh, --jwks-ca, --oidc-issuer and how they combine.
#include <string>
#include <vector>

#include "catch.hpp"
#include "server_options.hpp"

using namespace eudiplo_sse::server;

namespace {

ParseOutcome parse(std::vector<std::string_view> args, ServerOptions& out, std::string& error) {
  return parse_server_options(args, out, error);
}

}  // namespace

TEST_CASE("key source flags and their defaults", "[options][jwks]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({}, o, error) == ParseOutcome::run);
  CHECK(o.jwks_url.empty());
  CHECK(o.jwks_refresh == std::chrono::seconds(300));
  CHECK(o.jwks_min_refresh == std::chrono::seconds(30));

  ServerOptions u;
  REQUIRE(parse({"--jwks-url", "https://idp.example:8443/certs?x=1", "--jwks-refresh", "10",
                 "--jwks-ca", "ca.pem"},
                u, error) == ParseOutcome::run);
  CHECK(u.jwks_url == "https://idp.example:8443/certs?x=1");
  CHECK(u.jwks_refresh == std::chrono::seconds(10));
  CHECK(u.jwks_min_refresh == std::chrono::seconds(10));  // min(30, refresh)
  CHECK(u.jwks_ca == "ca.pem");

  ServerOptions i;
  REQUIRE(parse({"--oidc-issuer=https://idp.example/realms/r", "--jwks-min-refresh", "5"}, i,
                error) == ParseOutcome::run);
  CHECK(i.oidc_issuer == "https://idp.example/realms/r");
  CHECK(i.jwks_min_refresh == std::chrono::seconds(5));
}

TEST_CASE("bad key source flags are refused", "[options][jwks]") {
  const std::vector<std::vector<std::string_view>> bad = {
      {"--jwks-url", "http://idp.example/certs"},  // not https
      {"--jwks-url", "https://"},
      {"--jwks-url", "https://user@idp.example/certs"},
      {"--oidc-issuer", "idp.example"},
      {"--jwks-refresh", "0"},
      {"--jwks-refresh", "86401"},
      {"--jwks-url", "https://a/j", "--jwks-refresh", "10", "--jwks-min-refresh", "11"},
      {"--jwks", "f.json", "--jwks-url", "https://a/j"},
      {"--jwks-url", "https://a/j", "--oidc-issuer", "https://a"},
      {"--jwks-ca", "ca.pem"},  // without a URL
      {"--jwks-ca", ""},
  };
  for (const auto& args : bad) {
    ServerOptions o;
    std::string error;
    const std::string label =
        args.size() > 1 ? std::string(args[0]) + " " + std::string(args[1]) : std::string(args[0]);
    INFO(label);
    CHECK(parse(args, o, error) == ParseOutcome::error);
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("--help lists the key source flags", "[options][jwks]") {
  const std::string help = usage_text();
  for (const char* flag : {"--jwks-url", "--jwks-refresh", "--jwks-min-refresh", "--jwks-ca",
                           "--oidc-issuer", "SIGHUP"}) {
    CHECK(help.find(flag) != std::string::npos);
  }
}
