#include "eudiplo_sse/asio/http_server.hpp"

#include "server_core.hpp"

namespace eudiplo_sse::http {

HttpServer::HttpServer(asio::io_context& io, RequestHandler handler, HttpServerOptions options,
                       std::shared_ptr<asio::ssl::context> tls)
    : core_(std::make_shared<detail::ServerCore>(io, std::move(handler), std::move(options),
                                                 std::move(tls))) {}

HttpServer::~HttpServer() { core_->abort(); }

std::error_code HttpServer::listen(const asio::ip::tcp::endpoint& endpoint) {
  return core_->listen(endpoint);
}

asio::ip::tcp::endpoint HttpServer::local_endpoint() const { return core_->local_endpoint(); }

void HttpServer::sweep() { core_->sweep(); }

void HttpServer::stop() { core_->stop(); }

void HttpServer::abort() { core_->abort(); }

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.connections = core_->connections.load(std::memory_order_relaxed);
  s.streams = core_->streams.load(std::memory_order_relaxed);
  s.request_timeouts = core_->request_timeouts.load(std::memory_order_relaxed);
  s.idle_timeouts = core_->idle_timeouts.load(std::memory_order_relaxed);
  s.write_stalls = core_->write_stalls.load(std::memory_order_relaxed);
  s.response_timeouts = core_->response_timeouts.load(std::memory_order_relaxed);
  s.abandoned_requests = core_->abandoned_requests.load(std::memory_order_relaxed);
  s.tls_shutdown_timeouts = core_->tls_shutdown_timeouts.load(std::memory_order_relaxed);
  s.connections_refused = core_->connections_refused.load(std::memory_order_relaxed);
  s.accept_errors = core_->accept_errors.load(std::memory_order_relaxed);
  return s;
}

}  // namespace eudiplo_sse::http
