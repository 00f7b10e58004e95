// GET /metrics as a route: on the main router, or alone on the --metrics-listen
// address (metrics_listener.hpp), so the same handler (and scrape token) serves both.
#pragma once

#include "eudiplo_sse/asio/router.hpp"
#include "server_routes.hpp"

namespace eudiplo_sse::server {

// Adds GET /metrics (behind parts.metrics_token when it is set) to `router`.
void mount_metrics(http::Router& router, ServerParts& parts);

}  // namespace eudiplo_sse::server
