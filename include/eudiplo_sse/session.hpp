// One session as stored: who owns it, where it stands, and when.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/session_status.hpp"

namespace eudiplo_sse {

struct Session {
  std::string id;      // 1..128 chars of [A-Za-z0-9._~-]
  std::string tenant;  // owner; every read is scoped by it
  SessionStatus status = SessionStatus::active;
  std::uint64_t version = 1;  // 1 at creation, +1 per change; the SSE event id
  TimePoint created_at{};
  TimePoint updated_at{};
  TimePoint expires_at{};
};

inline constexpr std::size_t max_session_id_length = 128;

// 1..128 characters of [A-Za-z0-9._~-]: safe in URLs, logs, JSON and Redis keys.
EUDIPLO_SSE_EXPORT bool is_valid_session_id(std::string_view id) noexcept;

}  // namespace eudiplo_sse
