#include "server_routes.hpp"

#include <utility>

#include "eudiplo_sse/asio/events_endpoint.hpp"
#include "metrics_endpoint.hpp"

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

void metrics(ServerParts& parts, http::HttpExchange& ex, const http::RouteParams&) {
  if (!metrics_scrape_allowed(ex.request(), parts.metrics_token)) {
    auto r = http::HttpResponse::error(401, "metrics need the scrape token");
    r.set("WWW-Authenticate", "Bearer realm=\"metrics\"");
    ex.respond(std::move(r));
    return;
  }
  MetricsSources sources;
  sources.route = &parts.route;
  sources.store = parts.store;
  sources.server = parts.server;
  sources.auth_failures = &parts.auth_failures;
  sources.key_source = parts.key_source;
  sources.stream_caps = parts.stream_caps;
  http::HttpResponse r;
  r.set("Content-Type", metrics_content_type);
  r.set("Cache-Control", "no-store");
  r.body = render_metrics(sources);
  ex.respond(std::move(r));
}

// The server's own routes. The session API and the events route are mounted
// below by their own modules.
constexpr RouteEntry routes[] = {
    {"POST", "/oauth2/token", token},
    {"GET", "/healthz", healthz},
    {"GET", "/metrics", metrics},
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
  parts.session_routes.mount(router);  // POST /session, GET|PATCH /session/{id}
  // GET /session/{id}/events
  if (parts.stream_caps) {
    http::add_events_route(router, parts.route, *parts.stream_caps);
  } else {
    http::add_events_route(router, parts.route);
  }
}

}  // namespace eudiplo_sse::server
