// A fixed set of keep-alive HTTP/1.1 connections for the JSON routes (token, session create,
// PATCH), one request in flight per connection, requests served first come first served.
// A request that fails on a reused connection before any answer byte (the server closed it
// while idle) is retried once on a fresh one.
#pragma once
#include <asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connector.hpp"
#include "timing.hpp"

namespace eudiplo_sse::bench {

struct ControlRequest {
  std::string method;
  std::string target;
  std::string body;           // sent as application/json unless content_type says otherwise
  std::string authorization;  // whole header value; empty: none
  std::string content_type = "application/json";
};

struct ControlResponse {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  TimePoint sent_at{};
  TimePoint done_at{};
};

using ResponseHandler = std::function<void(const ControlResponse&)>;
// Told when the request's first byte is handed to the socket (the PATCH send time).
using SentHandler = std::function<void(TimePoint)>;

class ControlPool {
 public:
  ControlPool(asio::io_context& io, Connector& connector, std::string host, std::size_t size);
  ~ControlPool();
  ControlPool(const ControlPool&) = delete;
  ControlPool& operator=(const ControlPool&) = delete;

  void submit(ControlRequest request, ResponseHandler on_done, SentHandler on_sent = {});
  std::size_t queued() const { return queue_.size(); }
  std::size_t busy() const { return conns_.size() - idle_.size(); }
  std::uint64_t connection_failures() const { return connection_failures_; }
  // Drops queued requests and closes every connection; handlers of requests in flight are
  // not called any more.
  void close();

 private:
  class Conn;
  struct Job {
    ControlRequest request;
    ResponseHandler on_done;
    SentHandler on_sent;
    bool retried = false;
  };
  void pump();
  void release(Conn* conn);

  asio::io_context& io_;
  Connector& connector_;
  std::string host_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<Conn*> idle_;
  std::deque<Job> queue_;
  std::uint64_t connection_failures_ = 0;
  bool closed_ = false;
};

}  // namespace eudiplo_sse::bench
