#include "options.hpp"

#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

namespace eudiplo_sse::bench {

namespace {

struct Flag {
  std::function<bool(const std::string&)> set;  // false: bad value
  const char* help;
};

template <typename T>
std::function<bool(const std::string&)> number(T& target) {
  return [&target](const std::string& v) {
    char* end = nullptr;
    double value = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || value < 0) return false;
    target = static_cast<T>(value);
    return true;
  };
}

std::function<bool(const std::string&)> text(std::string& target) {
  return [&target](const std::string& v) {
    target = v;
    return true;
  };
}

std::map<std::string, Flag> flags(Options& o) {
  return {
      {"--url", {text(o.url), "base URL of the server (with any base path)"}},
      {"--label", {text(o.label), "server name in the results"}},
      {"--url-b", {text(o.url_b), "*_a_to_b, *_mixed: base URL of the second instance"}},
      {"--server-pid-b", {number(o.server_pid_b), "PID of the second instance (sampled)"}},
      {"--redis-pid", {number(o.redis_pid), "PID of the redis-server both use (sampled)"}},
      {"--server-pid", {number(o.server_pid), "PID whose /proc RSS and CPU are sampled"}},
      {"--scenarios",
       {[&o](const std::string& v) {
          o.scenarios.clear();
          std::stringstream in(v);
          for (std::string s; std::getline(in, s, ',');) {
            if (!s.empty()) o.scenarios.push_back(s);
          }
          return !o.scenarios.empty();
        },
        "comma list: idle,admission_hs256,admission_es256,admission_es256_reuse,burst,"
        "sustained,churn; with --url-b also burst_a_to_b,burst_mixed,sustained_a_to_b,"
        "sustained_mixed"}},
      {"--json", {text(o.json_path), "write the results (a JSON array) to this file"}},
      {"--auth", {text(o.auth), "hs256 (default) or es256"}},
      {"--jwt-secret", {text(o.jwt_secret), "HS256 secret of the server (admission_hs256)"}},
      {"--ec-key", {text(o.ec_key), "EC P-256 private key PEM (es256, jwks)"}},
      {"--kid", {text(o.kid), "kid of the ES256 key"}},
      {"--client-id", {text(o.client_id), "client for POST /oauth2/token"}},
      {"--client-secret", {text(o.client_secret), "its secret"}},
      {"--tenant", {text(o.tenant), "tenant_id of self-signed tokens"}},
      {"--issuer", {text(o.issuer), "iss of self-signed tokens"}},
      {"--sources", {number(o.sources), "loopback source addresses 127.0.0.2.. (0: none)"}},
      {"--control-connections", {number(o.control_connections), "keep-alive JSON connections"}},
      {"--connect-window", {number(o.connect_window), "stream handshakes in flight"}},
      {"--session-ttl", {number(o.session_ttl), "ttlSeconds of created sessions"}},
      {"--setup-timeout", {number(o.setup_timeout), "seconds allowed for each setup step"}},
      {"--idle-streams", {number(o.idle_streams), "idle: open streams"}},
      {"--idle-seconds", {number(o.idle_seconds), "idle: measured idle window"}},
      {"--heartbeat", {number(o.heartbeat_seconds), "the server's heartbeat interval"}},
      {"--admission-seconds", {number(o.admission_seconds), "admission: duration"}},
      {"--admission-concurrency", {number(o.admission_concurrency), "admission: in flight"}},
      {"--admission-sessions", {number(o.admission_sessions), "admission: sessions"}},
      {"--admission-tokens", {number(o.admission_tokens), "admission: distinct tokens"}},
      {"--token-reuse", {number(o.token_reuse), "admission: connections per token"}},
      {"--reconnect-reuse",
       {number(o.reconnect_reuse), "admission_*_reuse: connections per token (reconnects)"}},
      {"--burst-sessions", {number(o.burst_sessions), "burst: sessions (one stream each)"}},
      {"--burst-timeout", {number(o.burst_timeout), "burst: seconds to wait for the drain"}},
      {"--sustained-streams", {number(o.sustained_streams), "sustained: open streams"}},
      {"--sustained-rate", {number(o.sustained_rate), "sustained: status changes per second"}},
      {"--sustained-seconds", {number(o.sustained_seconds), "sustained: duration"}},
      {"--drain-timeout", {number(o.drain_timeout), "sustained: seconds to wait at the end"}},
      {"--latency-trace",
       {text(o.latency_trace), "sustained: write send time,latency of every event (CSV)"}},
      {"--churn-seconds", {number(o.churn_seconds), "churn: measured duration"}},
      {"--churn-warmup", {number(o.churn_warmup), "churn: unmeasured warm-up"}},
      {"--churn-concurrency", {number(o.churn_concurrency), "churn: clients in flight"}},
      {"--churn-sessions", {number(o.churn_sessions), "churn: sessions"}},
      {"--churn-sample-every", {number(o.churn_sample_every), "churn: RSS sample period (s)"}},
  };
}

}  // namespace

std::string usage() {
  Options o;
  std::string out =
      "usage: eudiplo_sse_loadgen [run] --url URL --scenarios LIST [flags]\n"
      "       eudiplo_sse_loadgen jwks --ec-key KEY.pem [--kid KID]   (prints a JWKS)\n"
      "flags (value defaults in docs/benchmarks_load.md):\n"
      "  --fail-on-loss       exit 1 when an event is lost or a request or stream fails\n"
      "  --fail-on-deviation  exit 1 when the wire format deviates from the contract\n";
  for (const auto& [name, flag] : flags(o)) out += "  " + name + "  " + flag.help + "\n";
  return out;
}

std::string parse_options(int argc, char** argv, Options& o) {
  auto table = flags(o);
  int i = 1;
  if (i < argc && argv[i][0] != '-') o.command = argv[i++];
  if (o.command != "run" && o.command != "jwks") return "unknown command " + o.command;
  for (; i < argc; ++i) {
    std::string name = argv[i];
    if (name == "--help" || name == "-h") return usage();
    if (name == "--fail-on-loss") {
      o.fail_on_loss = true;
      continue;
    }
    if (name == "--fail-on-deviation") {
      o.fail_on_deviation = true;
      continue;
    }
    auto it = table.find(name);
    if (it == table.end()) return "unknown flag " + name + "\n" + usage();
    if (i + 1 >= argc) return "missing value for " + name;
    if (!it->second.set(argv[++i])) return "bad value for " + name + ": " + argv[i];
  }
  if (o.command == "run" && o.scenarios.empty()) return "--scenarios is required\n" + usage();
  if (o.auth != "hs256" && o.auth != "es256") return "--auth must be hs256 or es256";
  if ((o.auth == "es256" || o.command == "jwks") && o.ec_key.empty()) return "--ec-key is required";
  if (o.token_reuse < 1) o.token_reuse = 1;
  if (o.reconnect_reuse < 1) o.reconnect_reuse = 1;
  if (o.admission_tokens < 1) o.admission_tokens = 1;
  return {};
}

}  // namespace eudiplo_sse::bench
