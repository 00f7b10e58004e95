// ISO-8601 UTC instants with milliseconds and `Z`, the format of every timestamp
// in the JSON the library emits ("2026-01-15T12:00:00.000Z").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

// Length of every formatted instant between years 0000 and 9999.
inline constexpr std::size_t iso8601_length = 24;

// Writes exactly iso8601_length characters to `out` (no terminator).
// Instants outside years 0000..9999 are clamped to that range.
EUDIPLO_SSE_EXPORT void format_iso8601(TimePoint t, char* out) noexcept;

EUDIPLO_SSE_EXPORT std::string to_iso8601(TimePoint t);

// Parses the format above (exactly, with `Z`); std::nullopt on anything else,
// including instants outside the range TimePoint can hold.
EUDIPLO_SSE_EXPORT std::optional<TimePoint> parse_iso8601(std::string_view text) noexcept;

}  // namespace eudiplo_sse
