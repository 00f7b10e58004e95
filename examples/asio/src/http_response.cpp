#include "eudiplo_sse/asio/http_response.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "eudiplo_sse/events_route.hpp"

namespace eudiplo_sse::http {
namespace {

// IMF-fixdate (RFC 9110 5.6.7) for the Date field.
void append_date(std::string& out) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  out.append(buf, n);
}

bool has_no_body(int status) noexcept { return status < 200 || status == 204 || status == 304; }

}  // namespace

HttpResponse& HttpResponse::set(std::string name, std::string value) {
  fields.push_back({std::move(name), std::move(value)});
  return *this;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.fields.push_back({"Content-Type", "application/json; charset=utf-8"});
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::error(int status, std::string_view message) {
  return json(status, error_json(status, message));
}

// One table for the library's refusals and the adapter's own answers.
std::string_view status_text(int status) noexcept { return reason_phrase(status); }

std::string error_json(int status, std::string_view message) { return error_body(status, message); }

std::string serialize_head(int status, const std::vector<HttpField>& fields,
                           std::optional<std::size_t> content_length, bool keep_alive) {
  std::string out;
  out.reserve(256);
  out.append("HTTP/1.1 ");
  out.append(std::to_string(status));
  out.push_back(' ');
  out.append(status_text(status));
  out.append("\r\nDate: ");
  append_date(out);
  out.append("\r\n");
  for (const auto& f : fields) {
    out.append(f.name);
    out.append(": ");
    out.append(f.value);
    out.append("\r\n");
  }
  if (content_length) {
    out.append("Content-Length: ");
    out.append(std::to_string(*content_length));
    out.append("\r\n");
  }
  if (!keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
  return out;
}

std::string serialize_response(const HttpResponse& response, bool keep_alive, bool head_only) {
  if (has_no_body(response.status)) {
    return serialize_head(response.status, response.fields, std::nullopt, keep_alive);
  }
  std::string out =
      serialize_head(response.status, response.fields, response.body.size(), keep_alive);
  if (!head_only) out.append(response.body);
  return out;
}

}  // namespace eudiplo_sse::http
