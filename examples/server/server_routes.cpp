#include "server_routes.hpp"

#include <utility>

#include "eudiplo_sse/asio/events_endpoint.hpp"
#include "metrics_route.hpp"

namespace eudiplo_sse::server {
namespace {

using Handler = void (*)(ServerParts&, http::HttpExchange&, const http::RouteParams&);

struct RouteEntry {
  const char* method;
  const char* pattern;
  Handler handler;
};

void token(ServerParts& parts, http::HttpExchange& ex, const http::RouteParams&) {
  auto response = parts.token_endpoint.handle(ex.request(), parts.sessions.now());
  if (response.status == 401) parts.auth_failures.fetch_add(1, std::memory_order_relaxed);
  ex.respond(std::move(response));
}

void healthz(ServerParts&, http::HttpExchange& ex, const http::RouteParams&) {
  auto r = http::HttpResponse::json(200, "{\"status\":\"ok\"}");
  r.set("Cache-Control", "no-store");
  ex.respond(std::move(r));
}

// The server's own routes. The session API and the events route are mounted
// below by their own modules.
constexpr RouteEntry routes[] = {
    {"POST", "/oauth2/token", token},
    {"GET", "/healthz", healthz},
};

}  // namespace

void mount_routes(http::Router& router, ServerParts& parts) {
  for (const RouteEntry& entry : routes) {
    router.add(
        entry.method, entry.pattern,
        [&parts, handler = entry.handler](http::HttpExchange& ex, const http::RouteParams& params) {
          handler(parts, ex, params);
        });
  }
  if (!parts.metrics_elsewhere) mount_metrics(router, parts);  // GET /metrics (metrics_route.cpp)
  parts.session_routes.mount(router);  // POST /session, GET|PATCH /session/{id}
  // GET /session/{id}/events
  if (parts.stream_caps) {
    http::add_events_route(router, parts.route, *parts.stream_caps);
  } else {
    http::add_events_route(router, parts.route);
  }
}

}  // namespace eudiplo_sse::server
