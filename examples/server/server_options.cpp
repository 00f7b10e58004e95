#include "server_options.hpp"

#include <algorithm>
#include <charconv>

#include "eudiplo_sse/asio/router.hpp"
#include "host_port.hpp"
#include "https_fetch.hpp"

namespace eudiplo_sse::server {
namespace {

// Whole-string unsigned decimal in [min, max].
bool parse_uint(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  if (text.empty()) return false;
  std::uint64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return false;
  if (v < min || v > max) return false;
  out = v;
  return true;
}

bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port) {
  return parse_host_port(text, host, port);
}

bool parse_client(std::string_view text, ClientCredentials& out) {
  // ID:SECRET:TENANT; the secret may itself hold ':' (the id cannot, HTTP Basic forbids it).
  const auto first = text.find(':');
  const auto last = text.rfind(':');
  if (first == std::string_view::npos || first == last) return false;
  out.id = std::string(text.substr(0, first));
  out.secret = std::string(text.substr(first + 1, last - first - 1));
  out.tenant = std::string(text.substr(last + 1));
  return !out.id.empty() && !out.secret.empty() && !out.tenant.empty();
}

// One key source at most; the CA and intervals only with a URL.
bool check_key_source_options(ServerOptions& out, std::string& error) {
  const int sources = !out.jwks_file.empty() + !out.jwks_url.empty() + !out.oidc_issuer.empty();
  if (sources > 1) {
    error = "--jwks, --jwks-url and --oidc-issuer exclude each other";
    return false;
  }
  if (!out.jwks_ca.empty() && out.jwks_url.empty() && out.oidc_issuer.empty()) {
    error = "--jwks-ca goes with --jwks-url or --oidc-issuer";
    return false;
  }
  if (out.jwks_min_refresh.count() == 0) {
    out.jwks_min_refresh = std::min(out.jwks_refresh, std::chrono::seconds(30));
  }
  if (out.jwks_min_refresh > out.jwks_refresh) {
    error = "--jwks-min-refresh must not exceed --jwks-refresh";
    return false;
  }
  return true;
}

}  // namespace

ClientCredentials demo_client() { return {"demo", "demo-secret", "demo"}; }

std::string usage_text() {
  return R"(Usage: eudiplo_sse_server [options]

Serves session status over Server-Sent Events (GET /session/{id}/events) with the
session API around it, for local testing.

Options (defaults in brackets):
  --listen HOST:PORT        address to listen on; port 0 picks a free one [127.0.0.1:8080]
  --jwt-secret S            HS256 secret, at least 32 bytes [a development secret, with a warning]
  --jwks FILE               JWKS of the keys that verify tokens (replaces the secret for
                            verification; /oauth2/token still signs with the secret);
                            reloaded when the file changes and on SIGHUP
  --jwks-url URL            https JWKS instead, refreshed in the background; the last
                            good key set is kept when a fetch fails
  --jwks-refresh SECONDS    JWKS refresh interval, and the most a Cache-Control max-age
                            may wait [300]
  --jwks-min-refresh SECONDS  the least time between two fetches, also for tokens with
                            an unknown kid [min(30, --jwks-refresh)]
  --jwks-ca FILE            trust only this CA for --jwks-url/--oidc-issuer [system store]
  --oidc-issuer URL         take --jwks-url from URL/.well-known/openid-configuration;
                            tokens must carry iss = URL (overrides --issuer)
  --issuer S                required `iss` [eudiplo-service]
  --audience S              required `aud` [none]
  --tenant-claim S          claim holding the tenant [tenant_id]
  --token-leeway SECONDS    clock skew allowed on exp/nbf/iat; streams end at exp plus
                            this [30]
  --client ID:SECRET:TENANT client for POST /oauth2/token (repeatable) [demo:demo-secret:demo]
  --no-demo-client          do not register the demo client
  --heartbeat SECONDS       keep-alive comment interval, 0 for none [15]
  --session-ttl SECONDS     lifetime of new sessions [300]
  --token-ttl SECONDS       lifetime of tokens from POST /oauth2/token [3600]
  --retry MS                `retry:` sent at stream start [3000]
  --cors-origin ORIGIN      allowed browser origin (repeatable, or *) [none]
  --base-path P             mount every route under P, e.g. /api [none]
  --tls-cert F --tls-key F  serve HTTPS with this PEM certificate chain and key [off]
  --redis URL               keep sessions in Redis and share changes with every
                            instance on it: redis://[:PASSWORD@]HOST[:PORT][/DB], or
                            rediss:// for TLS (when built with hiredis_ssl) [in memory]
  --redis-tls-ca FILE       rediss://: trust these CAs for Redis's certificate [system store]
  --redis-tls-ca-dir DIR    rediss://: or a directory of CA certificates (c_rehash)
  --redis-tls-cert FILE --redis-tls-key FILE
                            rediss://: client certificate and key (tls-auth-clients) [none]
  --threads N               I/O threads [one per core]
  --no-access-log           do not log requests to stderr
  -h, --help                show this help
)" + std::string(limit_flags_usage()) +
         R"(
Routes: POST /oauth2/token, POST /session, GET|PATCH /session/{id},
GET /session/{id}/events, POST /session/{id}/events-token, GET /session/{id}/qr.svg,
GET / (the demo page), GET /healthz, GET /metrics.
)";
}

namespace {

// One option that takes a value; false (with `error`) when the value is bad.
enum class FlagOutcome { not_mine, applied, refused };

// The flags about tokens and their keys.
FlagOutcome apply_token_value(std::string_view name, std::string_view value, ServerOptions& out,
                              std::string& error) {
  const std::string flag(name);
  std::uint64_t n = 0;
  if (name == "--jwt-secret") {
    if (value.size() < 32) {
      error = "--jwt-secret must be at least 32 bytes (HS256, RFC 7518 3.2)";
      return FlagOutcome::refused;
    }
    out.jwt_secret = std::string(value);
    out.jwt_secret_given = true;
  } else if (name == "--jwks" || name == "--jwks-ca") {
    if (value.empty()) {
      error = flag + " needs a file name";
      return FlagOutcome::refused;
    }
    (name == "--jwks" ? out.jwks_file : out.jwks_ca) = std::string(value);
  } else if (name == "--jwks-url" || name == "--oidc-issuer") {
    HttpsUrl url;
    if (!parse_https_url(value, url)) {
      error = flag + " wants an https:// URL, got '" + std::string(value) + "'";
      return FlagOutcome::refused;
    }
    (name == "--jwks-url" ? out.jwks_url : out.oidc_issuer) = std::string(value);
  } else if (name == "--jwks-refresh" || name == "--jwks-min-refresh") {
    if (!parse_uint(value, 1, 86400, n)) {
      error = flag + " wants whole seconds (1..86400), got '" + std::string(value) + "'";
      return FlagOutcome::refused;
    }
    (name == "--jwks-refresh" ? out.jwks_refresh : out.jwks_min_refresh) = std::chrono::seconds(n);
  } else if (name == "--issuer") {
    out.issuer = std::string(value);
  } else if (name == "--audience") {
    out.audience = std::string(value);
  } else if (name == "--tenant-claim") {
    if (value.empty()) {
      error = "--tenant-claim must not be empty";
      return FlagOutcome::refused;
    }
    out.tenant_claim = std::string(value);
  } else if (name == "--token-leeway") {
    if (!parse_uint(value, 0, 300, n)) {
      error = "--token-leeway wants whole seconds (0..300), got '" + std::string(value) + "'";
      return FlagOutcome::refused;
    }
    out.token_leeway = std::chrono::seconds(n);
  } else {
    return FlagOutcome::not_mine;
  }
  return FlagOutcome::applied;
}

// --redis and its TLS files (checked when the server starts, by the redis component).
FlagOutcome apply_redis_value(std::string_view name, std::string_view value, ServerOptions& out,
                              std::string& error) {
  std::string* target = nullptr;
  if (name == "--redis") {
    target = &out.redis_url;
  } else if (name == "--redis-tls-ca") {
    target = &out.redis_tls_ca;
  } else if (name == "--redis-tls-ca-dir") {
    target = &out.redis_tls_ca_dir;
  } else if (name == "--redis-tls-cert") {
    target = &out.redis_tls_cert;
  } else if (name == "--redis-tls-key") {
    target = &out.redis_tls_key;
  } else {
    return FlagOutcome::not_mine;
  }
  if (value.empty() && name != "--redis") {
    error = std::string(name) + " needs a file name";
    return FlagOutcome::refused;
  }
  *target = std::string(value);
  return FlagOutcome::applied;
}

// The TLS files go with a rediss:// URL, and the certificate with its key.
bool check_redis_tls_options(const ServerOptions& out, std::string& error) {
  const bool any = !out.redis_tls_ca.empty() || !out.redis_tls_ca_dir.empty() ||
                   !out.redis_tls_cert.empty() || !out.redis_tls_key.empty();
  if (any && out.redis_url.rfind("rediss://", 0) != 0) {
    error = "--redis-tls-* go with a rediss:// URL in --redis";
    return false;
  }
  if (out.redis_tls_cert.empty() != out.redis_tls_key.empty()) {
    error = "--redis-tls-cert and --redis-tls-key go together";
    return false;
  }
  return true;
}

bool apply_value(std::string_view name, std::string_view value, ServerOptions& out,
                 std::string& error) {
  std::uint64_t n = 0;
  if (name == "--listen") {
    if (!parse_listen(value, out.listen_host, out.listen_port)) {
      error = "--listen wants HOST:PORT (IPv6 as [::1]:PORT), got '" + std::string(value) + "'";
      return false;
    }
  } else if (const FlagOutcome o = apply_token_value(name, value, out, error);
             o != FlagOutcome::not_mine) {
    return o == FlagOutcome::applied;
  } else if (const FlagOutcome r = apply_redis_value(name, value, out, error);
             r != FlagOutcome::not_mine) {
    return r == FlagOutcome::applied;
  } else if (name == "--client") {
    ClientCredentials c;
    if (!parse_client(value, c)) {
      error = "--client wants ID:SECRET:TENANT, each part non-empty";
      return false;
    }
    out.clients.push_back(std::move(c));
  } else if (name == "--heartbeat") {
    if (!parse_uint(value, 0, 86400, n)) {
      error = "--heartbeat wants whole seconds (0..86400), got '" + std::string(value) + "'";
      return false;
    }
    out.heartbeat = std::chrono::seconds(n);
  } else if (name == "--session-ttl" || name == "--token-ttl") {
    if (!parse_uint(value, 1, 365ull * 86400, n)) {
      error = std::string(name) + " wants whole seconds (1..31536000), got '" + std::string(value) +
              "'";
      return false;
    }
    (name == "--session-ttl" ? out.session_ttl : out.token_ttl) = std::chrono::seconds(n);
  } else if (name == "--retry") {
    if (!parse_uint(value, 0, 86400000, n)) {
      error = "--retry wants milliseconds (0..86400000), got '" + std::string(value) + "'";
      return false;
    }
    out.retry = std::chrono::milliseconds(n);
  } else if (name == "--cors-origin") {
    if (value.empty()) {
      error = "--cors-origin must not be empty";
      return false;
    }
    out.cors_origins.emplace_back(value);
  } else if (name == "--base-path") {
    if (!http::normalize_base_path(value, out.base_path)) {
      error = "--base-path wants a path like /api (letters, digits, - . _ ~ and /), got '" +
              std::string(value) + "'";
      return false;
    }
  } else if (name == "--tls-cert") {
    out.tls_cert = std::string(value);
  } else if (name == "--tls-key") {
    out.tls_key = std::string(value);
  } else if (name == "--threads") {
    if (!parse_uint(value, 1, 1024, n)) {
      error = "--threads wants 1..1024, got '" + std::string(value) + "'";
      return false;
    }
    out.threads = static_cast<unsigned>(n);
  }
  return true;
}

}  // namespace

ParseOutcome parse_server_options(const std::vector<std::string_view>& args, ServerOptions& out,
                                  std::string& error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") return ParseOutcome::help;
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      error = "unexpected argument '" + std::string(arg) + "'";
      return ParseOutcome::error;
    }
    std::string_view name = arg;
    std::string_view inline_value;
    bool has_inline = false;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
      has_inline = true;
    }

    // Flags without a value.
    if (name == "--no-demo-client" || name == "--no-access-log") {
      if (has_inline) {
        error = std::string(name) + " takes no value";
        return ParseOutcome::error;
      }
      if (name == "--no-demo-client") out.demo_client = false;
      if (name == "--no-access-log") out.access_log = false;
      continue;
    }

    static constexpr std::string_view with_value[] = {
        "--listen",       "--jwt-secret",   "--jwks",
        "--issuer",       "--audience",     "--tenant-claim",
        "--client",       "--heartbeat",    "--session-ttl",
        "--retry",        "--cors-origin",  "--base-path",
        "--tls-cert",     "--tls-key",      "--threads",
        "--jwks-url",     "--jwks-refresh", "--jwks-min-refresh",
        "--jwks-ca",      "--oidc-issuer",  "--token-ttl",
        "--token-leeway", "--redis"};
    static constexpr std::string_view redis_tls_flags[] = {"--redis-tls-ca", "--redis-tls-ca-dir",
                                                           "--redis-tls-cert", "--redis-tls-key"};
    bool known = is_limit_flag(name);
    for (const auto f : with_value) known = known || f == name;
    for (const auto f : redis_tls_flags) known = known || f == name;
    if (!known) {
      error = "unknown option '" + std::string(name) + "'";
      return ParseOutcome::error;
    }
    std::string_view value;
    if (has_inline) {
      value = inline_value;
    } else {
      if (i + 1 >= args.size()) {
        error = std::string(name) + " needs a value";
        return ParseOutcome::error;
      }
      value = args[++i];
    }
    if (is_limit_flag(name) ? !apply_limit_flag(name, value, out.limits, error)
                            : !apply_value(name, value, out, error)) {
      return ParseOutcome::error;
    }
  }
  if (out.tls_cert.empty() != out.tls_key.empty()) {
    error = "--tls-cert and --tls-key go together";
    return ParseOutcome::error;
  }
  if (!check_key_source_options(out, error)) return ParseOutcome::error;
  if (!check_redis_tls_options(out, error)) return ParseOutcome::error;
  if (out.demo_client) {
    bool has_demo = false;
    for (const auto& c : out.clients) has_demo = has_demo || c.id == demo_client().id;
    // An explicit --client demo:...:... replaces the demo client's defaults.
    if (!has_demo) out.clients.push_back(demo_client());
  }
  return ParseOutcome::run;
}

}  // namespace eudiplo_sse::server
