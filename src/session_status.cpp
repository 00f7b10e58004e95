#include "eudiplo_sse/session_status.hpp"

namespace eudiplo_sse {

std::string_view to_string(SessionStatus s) noexcept {
  switch (s) {
    case SessionStatus::active: return "active";
    case SessionStatus::fetched: return "fetched";
    case SessionStatus::completed: return "completed";
    case SessionStatus::expired: return "expired";
    case SessionStatus::failed: return "failed";
  }
  return "active";
}

std::optional<SessionStatus> parse_session_status(std::string_view text) noexcept {
  for (auto s : {SessionStatus::active, SessionStatus::fetched, SessionStatus::completed,
                 SessionStatus::expired, SessionStatus::failed}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace eudiplo_sse
