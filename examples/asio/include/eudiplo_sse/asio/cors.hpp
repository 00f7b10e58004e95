// Cross-origin access (the Fetch standard's CORS protocol) for browser clients on
// another origin: an EventSource page, or a web app calling the session API.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/asio/http_request.hpp"
#include "eudiplo_sse/asio/http_response.hpp"

namespace eudiplo_sse::http {

class CorsPolicy {
 public:
  CorsPolicy() = default;
  // "*" anywhere in `origins` allows every origin (without credentials).
  explicit CorsPolicy(std::vector<std::string> origins);

  bool enabled() const noexcept { return any_ || !origins_.empty(); }
  bool allows(std::string_view origin) const noexcept;

  // A preflight: OPTIONS with Origin and Access-Control-Request-Method.
  static bool is_preflight(const HttpRequest& request) noexcept;

  // Fields to add to any response for a request carrying `origin` (none when the
  // origin is absent or not allowed).
  std::vector<HttpField> response_fields(std::string_view origin) const;

  // The answer to a preflight for a path serving `allow` (e.g. "GET, PATCH"):
  // 204, with the access-control fields when the origin is allowed.
  HttpResponse preflight(const HttpRequest& request, std::string_view allow) const;

  // The request headers a client may send: the ones this API reads.
  static constexpr std::string_view allowed_headers = "Authorization, Content-Type, Last-Event-ID";

 private:
  std::vector<std::string> origins_;
  bool any_ = false;
};

}  // namespace eudiplo_sse::http
