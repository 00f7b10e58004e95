// The small HTTP vocabulary the library speaks to its host: a header, the reason
// phrase of a status, the contract's JSON error body, and the head of a response
// for hosts that write raw bytes (the Asio writers, a hand-written HTTP stack).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

struct HttpHeader {
  std::string name;
  std::string value;
};

// The reason phrase for the statuses the library and its example hosts produce
// ("Unauthorized", ...); "Unknown" for others.
EUDIPLO_SSE_EXPORT std::string_view reason_phrase(int status) noexcept;

// The JSON error body of the contract: {"statusCode":N,"error":"...","message":"..."}.
EUDIPLO_SSE_EXPORT std::string error_body(int status, std::string_view message);

// "HTTP/1.1 <status> <reason>\r\n", `headers`, then (when `chunked`)
// "Transfer-Encoding: chunked\r\n", "Connection: close\r\n" and the blank line: the
// head of an events stream, which ends with its connection.
EUDIPLO_SSE_EXPORT std::string format_response_head(int status,
                                                    const std::vector<HttpHeader>& headers,
                                                    bool chunked = true);

// The one WWW-Authenticate value the library and its example hosts send with a 401.
inline constexpr std::string_view www_authenticate_value = "Bearer";

}  // namespace eudiplo_sse
