#include "limit_flags.hpp"

#include <charconv>
#include <cstdint>

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
  return false;
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
  error = "unknown option '" + std::string(name) + "'";
  return false;
}

std::string_view limit_flags_usage() {
  return R"(
Limits (each counted in /metrics when it bites):
  --header-timeout SECONDS  a request must arrive whole within this; 408 after [30]
  --idle-timeout SECONDS    close an idle keep-alive connection after this [30]
  --write-stall-timeout SECONDS  close a response or stream whose client accepts no
                            byte for this long [60]
  --tls-shutdown-timeout SECONDS  wait this long for the client's close_notify [2]
)";
}

}  // namespace eudiplo_sse::server
