// Server-sent events framing, per the WHATWG HTML "server-sent events" section.
//
// Rules applied here, so that any conforming client reads back exactly what was
// meant:
// - every field is `name: value` with one space after the colon (a client strips
//   exactly one), lines end with LF, an event ends with an empty line;
// - a payload with line breaks (LF, CR or CRLF) becomes several `data:` lines,
//   which a client joins back with LF;
// - `id` and `event` values may not hold CR, LF (they would end the field) or NUL
//   (a client ignores such an id): they are refused with error::invalid_field;
// - `retry` is written as decimal digits only;
// - comments (`: text`) carry keep-alives; no BOM is ever written.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

struct SseEvent {
  std::string_view id;     // omitted when empty
  std::string_view event;  // omitted when empty (clients then dispatch "message")
  std::string_view data;   // always written, even when empty
};

// Appends one event to `out`. On error nothing is appended.
EUDIPLO_SSE_EXPORT std::error_code append_sse_event(std::string& out, const SseEvent& event);

// Appends `retry: N` followed by the blank line that ends the block.
EUDIPLO_SSE_EXPORT void append_sse_retry(std::string& out, std::chrono::milliseconds retry);

// Appends a comment block. Line breaks in `text` start new comment lines.
EUDIPLO_SSE_EXPORT void append_sse_comment(std::string& out, std::string_view text);

// Formats one event into a new string; throws std::system_error on invalid fields.
EUDIPLO_SSE_EXPORT std::string format_sse_event(const SseEvent& event);

}  // namespace eudiplo_sse
