// Method + path routing with `{name}` placeholders, mounted under an optional
// base path ("/api" serves "/api/healthz" for the route "/healthz").
//
// Paths are matched segment by segment after percent-decoding each segment, so
// "%2F" inside an id stays inside that id and never creates a new segment.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/asio/http_exchange.hpp"

namespace eudiplo_sse::http {

// Decoded values of the placeholders, in pattern order.
using RouteParams = std::vector<std::string>;
using RouteHandler = std::function<void(HttpExchange&, const RouteParams&)>;

class Router {
 public:
  // `base_path` is "" or "/x[/y...]"; a trailing '/' is ignored.
  explicit Router(std::string_view base_path = {});

  // `pattern` is "/a/{id}/b"; a placeholder matches one non-empty segment.
  void add(std::string method, std::string_view pattern, RouteHandler handler);

  struct Match {
    enum class Kind { found, not_found, method_not_allowed, bad_path } kind = Kind::not_found;
    const RouteHandler* handler = nullptr;  // when found
    RouteParams params;                     // when found
    std::string allow;                      // methods of the path, e.g. "GET, PATCH"
  };

  Match match(std::string_view method, std::string_view raw_path) const;

  const std::vector<std::string>& base_segments() const noexcept { return base_; }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{...}" marks a placeholder
    RouteHandler handler;
  };
  std::vector<std::string> base_;
  std::vector<Route> routes_;
};

// "/api/" -> "/api", "api" -> "/api", "/" -> "". Rejects segments that need encoding.
bool normalize_base_path(std::string_view in, std::string& out);

}  // namespace eudiplo_sse::http
