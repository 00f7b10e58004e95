#include "metrics_route.hpp"

#include <utility>

#include "metrics_endpoint.hpp"

namespace eudiplo_sse::server {
namespace {

void metrics(ServerParts& parts, http::HttpExchange& ex) {
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
  sources.sessions = &parts.sessions;
  http::HttpResponse r;
  r.set("Content-Type", metrics_content_type);
  r.set("Cache-Control", "no-store");
  r.body = render_metrics(sources);
  ex.respond(std::move(r));
}

}  // namespace

void mount_metrics(http::Router& router, ServerParts& parts) {
  router.add("GET", "/metrics",
             [&parts](http::HttpExchange& ex, const http::RouteParams&) { metrics(parts, ex); });
}

}  // namespace eudiplo_sse::server
