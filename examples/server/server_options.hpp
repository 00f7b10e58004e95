// The command line of eudiplo_sse_server (contract section 5): every flag, its
// default, and the checks that turn a bad value into exit status 2.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "limit_flags.hpp"

namespace eudiplo_sse::server {

struct ClientCredentials {
  std::string id;
  std::string secret;
  std::string tenant;
};

// Long enough for HS256 (32 bytes) and printed with a warning whenever it is used.
inline constexpr std::string_view dev_jwt_secret =
    "eudiplo-sse-dev-secret-do-not-use-in-production";

struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string jwt_secret{dev_jwt_secret};
  bool jwt_secret_given = false;
  std::string jwks_file;  // reloaded when it changes and on SIGHUP
  std::string jwks_url;   // https JWKS, refreshed
  std::chrono::seconds jwks_refresh{300};
  std::chrono::seconds jwks_min_refresh{0};  // 0: min(30 s, jwks_refresh)
  std::string jwks_ca;      // CA file for jwks_url / oidc_issuer; empty: system store
  std::string oidc_issuer;  // discovery of jwks_url; tokens need iss = this
  std::string issuer = "eudiplo-service";
  std::string audience;
  std::string tenant_claim = "tenant_id";
  std::vector<ClientCredentials> clients;  // --client, then the demo client unless disabled
  bool demo_client = true;
  std::chrono::seconds heartbeat{15};
  std::chrono::seconds session_ttl{300};
  std::chrono::seconds token_ttl{3600};   // tokens from POST /oauth2/token
  std::chrono::seconds token_leeway{30};  // clock skew on exp/nbf/iat (JwtVerifierOptions)
  std::chrono::milliseconds retry{3000};
  std::vector<std::string> cors_origins;
  std::string base_path;  // normalized: "" or "/a[/b]"
  std::string tls_cert;
  std::string tls_key;
  std::string redis_url;  // --redis: sessions in Redis, shared by instances; empty: in memory
  // rediss:// only (docs/scaling.md, TLS): trusted CAs (else the system store), and
  // the client certificate and key for a Redis with tls-auth-clients.
  std::string redis_tls_ca;
  std::string redis_tls_ca_dir;
  std::string redis_tls_cert;
  std::string redis_tls_key;
  // Beyond the contract, for benchmarks and quiet runs.
  unsigned threads = 0;  // 0: one per core
  bool access_log = true;
  ServerLimits limits;  // hardening limits (limit_flags.hpp)
};

enum class ParseOutcome { run, help, error };

// Parses argv[1..]. `--flag value` and `--flag=value` are both accepted. On
// error, `error` says what was wrong (never echoing a secret).
ParseOutcome parse_server_options(const std::vector<std::string_view>& args, ServerOptions& out,
                                  std::string& error);

std::string usage_text();

// The demo client, present unless --no-demo-client.
ClientCredentials demo_client();

}  // namespace eudiplo_sse::server
