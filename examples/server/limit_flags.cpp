#include "limit_flags.hpp"

#include <sys/resource.h>

#include <charconv>
#include <cstdint>

#include "host_port.hpp"

namespace eudiplo_sse::server {
namespace {

struct SecondsFlag {
  std::string_view name;
  std::chrono::seconds ServerLimits::*field;
  std::uint64_t min;
  std::uint64_t max;
};

// Zero would close every connection at the next sweep, so each limit starts at 1 s.
constexpr SecondsFlag seconds_flags[] = {
    {"--header-timeout", &ServerLimits::header_timeout, 1, 3600},
    {"--idle-timeout", &ServerLimits::idle_timeout, 1, 86400},
    {"--write-stall-timeout", &ServerLimits::write_stall_timeout, 1, 86400},
    {"--tls-shutdown-timeout", &ServerLimits::tls_shutdown_timeout, 1, 60},
    {"--max-session-ttl", &ServerLimits::max_session_ttl, 1, 365ull * 86400},
};

struct CountFlag {
  std::string_view name;
  std::size_t ServerLimits::*field;
  std::uint64_t min;
  std::uint64_t max;
};

constexpr CountFlag count_flags[] = {
    {"--max-connections", &ServerLimits::max_connections, 1, 10000000},
    {"--max-connections-per-address", &ServerLimits::max_connections_per_address, 0, 10000000},
    {"--max-streams-per-session", &ServerLimits::max_streams_per_session, 0, 10000000},
    {"--max-streams-per-token", &ServerLimits::max_streams_per_token, 0, 10000000},
    {"--max-sessions-per-tenant", &ServerLimits::max_sessions_per_tenant, 0, 100000000},
};

bool parse_uint(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

bool is_limit_flag(std::string_view name) {
  for (const auto& f : seconds_flags) {
    if (f.name == name) return true;
  }
  for (const auto& f : count_flags) {
    if (f.name == name) return true;
  }
  return name == "--metrics-token" || name == "--metrics-listen";
}

bool apply_limit_flag(std::string_view name, std::string_view value, ServerLimits& out,
                      std::string& error) {
  for (const auto& f : seconds_flags) {
    if (f.name != name) continue;
    std::uint64_t n = 0;
    if (!parse_uint(value, n) || n < f.min || n > f.max) {
      error = std::string(name) + " wants whole seconds (" + std::to_string(f.min) + ".." +
              std::to_string(f.max) + "), got '" + std::string(value) + "'";
      return false;
    }
    out.*f.field = std::chrono::seconds(n);
    return true;
  }
  for (const auto& f : count_flags) {
    if (f.name != name) continue;
    std::uint64_t n = 0;
    if (!parse_uint(value, n) || n < f.min || n > f.max) {
      error = std::string(name) + " wants a count (" + std::to_string(f.min) + ".." +
              std::to_string(f.max) + "), got '" + std::string(value) + "'";
      return false;
    }
    out.*f.field = static_cast<std::size_t>(n);
    return true;
  }
  if (name == "--metrics-token") {
    // Short scrape tokens could be guessed; never echoed back.
    if (value.size() < 16) {
      error = "--metrics-token must be at least 16 characters";
      return false;
    }
    out.metrics_token = std::string(value);
    return true;
  }
  if (name == "--metrics-listen") {
    if (!parse_host_port(value, out.metrics_listen_host, out.metrics_listen_port)) {
      error =
          "--metrics-listen wants HOST:PORT (IPv6 as [::1]:PORT), got '" + std::string(value) + "'";
      return false;
    }
    return true;
  }
  error = "unknown option '" + std::string(name) + "'";
  return false;
}

std::size_t effective_max_connections(const ServerLimits& limits) {
  if (limits.max_connections) return limits.max_connections;
  constexpr rlim_t reserve = 64;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 1000000;
  return lim.rlim_cur > reserve ? static_cast<std::size_t>(lim.rlim_cur - reserve) : 1;
}

std::string_view limit_flags_usage() {
  return R"(
Limits (each counted in /metrics when it bites):
  --header-timeout SECONDS  a request must arrive whole within this; 408 after [30]
  --idle-timeout SECONDS    close an idle keep-alive connection after this [30]
  --write-stall-timeout SECONDS  close a response or stream whose client accepts no
                            byte for this long [60]
  --tls-shutdown-timeout SECONDS  wait this long for the client's close_notify [2]
  --max-connections N       open connections in total; 503 + Retry-After beyond
                            [the descriptor limit less 64]
  --max-connections-per-address N  open connections from one client address, 0 for
                            no cap (clients behind a proxy share one address) [0]
  --max-streams-per-session N  open event streams per session, 0 for no cap; 429
                            beyond [64]
  --max-streams-per-token N open event streams per token, 0 for no cap (a backend may
                            follow every session with one token) [0]
  --max-session-ttl SECONDS the longest ttlSeconds POST /session accepts [86400]
  --max-sessions-per-tenant N  live (not terminal) sessions per tenant, 0 for no
                            cap; POST /session answers 429 beyond [10000]
  --metrics-token T         GET /metrics needs `Authorization: Bearer T` [open]
  --metrics-listen HOST:PORT  serve /metrics on this address only (404 on --listen);
                            with --metrics-token both apply [on --listen]
)";
}

}  // namespace eudiplo_sse::server
