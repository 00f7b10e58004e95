// Percent-decoding of request targets (RFC 3986), strict: a '%' not followed by
// two hex digits, or a decoded NUL, is an error the caller answers with 400.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eudiplo_sse::http {

// Decodes one path segment ('+' stays '+').
std::optional<std::string> percent_decode(std::string_view text);

// Decodes one query component ('+' means space, as HTML forms encode it).
std::optional<std::string> form_decode(std::string_view text);

// Splits "a=1&b=2" (a query or an application/x-www-form-urlencoded body) into
// decoded pairs, in order. A key without '=' gets an empty value; empty pieces
// ("a=1&&b=2") are skipped. std::nullopt if any piece is badly encoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::optional<QueryParams> parse_query(std::string_view query);

// The first value for `key`, or nullptr.
const std::string* find_param(const QueryParams& params, std::string_view key) noexcept;

// Splits a raw path ("/a/b%2Fc") into decoded segments ({"a", "b/c"}). The
// leading '/' is required; a trailing '/' yields a last empty segment.
std::optional<std::vector<std::string>> decode_path(std::string_view raw_path);

}  // namespace eudiplo_sse::http
