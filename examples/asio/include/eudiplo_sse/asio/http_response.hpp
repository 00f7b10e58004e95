// A complete (non-streaming) HTTP response and the bytes that carry it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/asio/http_request.hpp"

namespace eudiplo_sse::http {

struct HttpResponse {
  int status = 200;
  std::vector<HttpField> fields;  // without Content-Length and Connection: the server adds them
  std::string body;

  HttpResponse& set(std::string name, std::string value);

  // `body` with Content-Type: application/json.
  static HttpResponse json(int status, std::string body);
  // The contract's error document {"statusCode","error","message"}; `message` must
  // hold no request data (it is echoed as is).
  static HttpResponse error(int status, std::string_view message);
};

// "OK", "Not Found", ...; "Unknown" for codes this server never sends.
std::string_view status_text(int status) noexcept;

// {"statusCode":N,"error":"<status_text>","message":"<message>"}: the library's
// error_body(), so the adapter's own errors look exactly like the route's.
std::string error_json(int status, std::string_view message);

// Status line and fields, ending with the blank line. `content_length` is written
// when set; `keep_alive == false` adds `Connection: close`.
std::string serialize_head(int status, const std::vector<HttpField>& fields,
                           std::optional<std::size_t> content_length, bool keep_alive);

// Head and body. A 1xx, 204 or 304 response carries no body and no length.
std::string serialize_response(const HttpResponse& response, bool keep_alive,
                               bool head_only = false);

}  // namespace eudiplo_sse::http
