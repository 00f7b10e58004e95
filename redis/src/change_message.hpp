// The message of one committed change on the change channel:
//   "<version> <status> <updated_at ms> <session id> <tenant>"
// The id has no spaces (is_valid_session_id), so the tenant is all that follows
// the fifth field, spaces included. session_scripts.cpp's Lua builds the same.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "eudiplo_sse/status_event.hpp"

namespace eudiplo_sse::redis::detail {

std::string format_change(const StatusEvent& event);

// nullptr for anything malformed (it is ignored, never trusted).
StatusEventPtr parse_change(std::string_view message);

}  // namespace eudiplo_sse::redis::detail
