// --metrics-listen HOST:PORT: a second HTTP listener that serves GET /metrics and
// nothing else, so a deployment can keep the scrape endpoint off the address the
// internet reaches (Prometheus' usual pattern), with or without --metrics-token.
//
// It shares the main server's io_context and limits (time limits, connection
// caps), and is swept by the server's maintenance timer like the main listener.
#pragma once

#include <system_error>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "eudiplo_sse/asio/http_dispatcher.hpp"
#include "eudiplo_sse/asio/http_server.hpp"
#include "server_routes.hpp"

namespace eudiplo_sse::server {

class MetricsListener {
 public:
  // `parts` must outlive the listener. /metrics is at the root, whatever
  // --base-path says: the scrape address is the operator's, not the clients'.
  MetricsListener(asio::io_context& io, ServerParts& parts, const http::HttpServerOptions& options);

  std::error_code listen(const asio::ip::tcp::endpoint& endpoint) {
    return server_.listen(endpoint);
  }
  http::HttpServer& server() noexcept { return server_; }

 private:
  static http::Router metrics_router(ServerParts& parts);

  http::HttpDispatcher dispatcher_;
  http::HttpServer server_;
};

}  // namespace eudiplo_sse::server
