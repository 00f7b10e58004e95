// Request targets: the one strict percent-decoder the library and its example
// hosts share (RFC 3986; a '%' not followed by two hex digits, or a NUL byte, raw or
// encoded as %00, is an error the host answers with 400), and the match of the
// events route's target.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

// Decodes one path segment ('+' stays '+').
EUDIPLO_SSE_EXPORT std::optional<std::string> percent_decode(std::string_view text);

// Decodes one query component ('+' means space, as HTML forms encode it).
EUDIPLO_SSE_EXPORT std::optional<std::string> form_decode(std::string_view text);

// Splits "a=1&b=2" (a query or an application/x-www-form-urlencoded body) into
// decoded pairs, in order. A key without '=' gets an empty value; empty pieces
// ("a=1&&b=2") are skipped. std::nullopt if any piece is badly encoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
EUDIPLO_SSE_EXPORT std::optional<QueryParams> parse_query(std::string_view query);

// The first value for `key`, or nullptr.
EUDIPLO_SSE_EXPORT const std::string* find_param(const QueryParams& params,
                                                 std::string_view key) noexcept;

// Splits a raw path ("/a/b%2Fc") into decoded segments ({"a", "b/c"}). The
// leading '/' is required; a trailing '/' yields a last empty segment.
EUDIPLO_SSE_EXPORT std::optional<std::vector<std::string>> decode_path(std::string_view raw_path);

// A request target (path and query, as on the request line) matched against
// /session/{id}/events?token=JWT.
struct EventsTarget {
  bool matched = false;     // the path is /session/{id}/events
  bool malformed = false;   // matched, but badly percent-encoded: answer 400
  std::string session_id;   // decoded
  std::string query_token;  // the decoded `token` parameter; empty if absent
};
EUDIPLO_SSE_EXPORT EventsTarget parse_events_target(std::string_view target);

}  // namespace eudiplo_sse
