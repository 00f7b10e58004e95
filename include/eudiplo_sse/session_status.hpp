// The five statuses of a session and the rules between them (contract section 2).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

enum class SessionStatus { active, fetched, completed, expired, failed };
inline constexpr std::size_t session_status_count = 5;

// The wire name: "active", "fetched", "completed", "expired", "failed".
EUDIPLO_SSE_EXPORT std::string_view to_string(SessionStatus s) noexcept;

// Parses a wire name exactly (case-sensitive); std::nullopt otherwise.
EUDIPLO_SSE_EXPORT std::optional<SessionStatus> parse_session_status(
    std::string_view text) noexcept;

// completed, expired and failed are final: no later change is accepted.
constexpr bool is_terminal(SessionStatus s) noexcept {
  return s == SessionStatus::completed || s == SessionStatus::expired || s == SessionStatus::failed;
}

// Whether `from -> to` is a change the contract allows. Same status is not a
// change (the store treats it as a no-op before asking this).
constexpr bool is_allowed_transition(SessionStatus from, SessionStatus to) noexcept {
  if (is_terminal(from) || from == to) return false;
  switch (to) {
    case SessionStatus::active: return false;
    case SessionStatus::fetched: return from == SessionStatus::active;
    case SessionStatus::completed:
    case SessionStatus::failed:
    case SessionStatus::expired: return true;
  }
  return false;
}

}  // namespace eudiplo_sse
