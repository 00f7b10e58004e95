// One timer for the whole server: session expiry (seen within a second, as the
// contract asks), heartbeats and token ends of every stream, and request
// timeouts of every connection. No stream or connection has a timer of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include "eudiplo_sse/asio/http_server.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/session_service.hpp"

namespace eudiplo_sse::server {

class MaintenanceTimer {
 public:
  using Strand = asio::strand<asio::io_context::executor_type>;

  // Ticks every `period` on `strand`; start() and stop() run on that strand too
  // (or before the io_context runs).
  MaintenanceTimer(Strand strand, EventsRoute& route, SessionService& sessions,
                   http::HttpServer& server,
                   std::chrono::milliseconds period = std::chrono::milliseconds(500));

  void start();
  void stop();
  // Sweeps another listener's time limits too (--metrics-listen); before start().
  void also_sweep(http::HttpServer& other) { other_ = &other; }

 private:
  void arm();
  // Starts one expiry round unless the last one is still waiting for the store.
  void expire_due();

  asio::steady_timer timer_;
  EventsRoute& route_;
  SessionService& sessions_;
  http::HttpServer& server_;
  http::HttpServer* other_ = nullptr;
  const std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point next_;
  bool stopped_ = false;
  // Shared with the completion, which may run on the store's thread after this
  // timer is gone.
  std::shared_ptr<std::atomic<bool>> expiring_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace eudiplo_sse::server
