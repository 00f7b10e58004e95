#include "metrics_listener.hpp"

#include "metrics_route.hpp"

namespace eudiplo_sse::server {

http::Router MetricsListener::metrics_router(ServerParts& parts) {
  http::Router router;
  mount_metrics(router, parts);
  return router;
}

MetricsListener::MetricsListener(asio::io_context& io, ServerParts& parts,
                                 const http::HttpServerOptions& options)
    : dispatcher_(metrics_router(parts), http::CorsPolicy()),
      server_(
          io, [this](http::HttpExchange& ex) { dispatcher_(ex); }, options, nullptr) {}

}  // namespace eudiplo_sse::server
