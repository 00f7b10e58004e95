// One accepted connection: reads requests, hands them to the request handler,
// writes the answers and, for a streaming response, is the SseWriter the library
// writes events through. Private to the adapter.
//
// Stream is PlainStream or TlsStream. Sockets carry the io_context's concrete
// executor rather than any_io_executor: that saves about 100 bytes per open
// stream (the socket and its pending wait operation both embed the executor).
//
// A handler may defer its answer (HttpExchange::defer()): the connection then
// waits in Phase::responding with `awaiting_` set, reading nothing (pipelined
// requests stay in the kernel), watching for the client leaving and timing the
// answer (Wait::response). The answer may come from any thread; the rest of the
// work (writing, the next request) is posted to the connection's executor, so
// handlers and TLS operations still run only there.
//
// Locking: mutex_ guards every member below it and every operation on the
// socket. No callback into the library or the handler runs under it. For TLS
// the socket's executor is a strand: SSL stream operations may not overlap, so
// every TLS operation is started from inside that strand.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/strand.hpp>

#include "eudiplo_sse/asio/http_parser.hpp"
#include "eudiplo_sse/sse_write_queue.hpp"
#include "eudiplo_sse/sse_writer.hpp"
#include "eudiplo_sse/sse_writer_listeners.hpp"
#include "server_core.hpp"

namespace eudiplo_sse::http::detail {

// What the access log says of a request, kept while its answer is deferred
// (empty when there is no access log).
struct RequestLog {
  std::string remote;
  std::string method;
  std::string target;
  std::chrono::steady_clock::time_point started;
};

using PlainStream = asio::basic_stream_socket<asio::ip::tcp, asio::io_context::executor_type>;
using TlsStream = asio::ssl::stream<
    asio::basic_stream_socket<asio::ip::tcp, asio::strand<asio::io_context::executor_type>>>;

template <typename Stream>
class HttpConnection final : public ConnectionBase, public SseWriter {
 public:
  static constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;

  HttpConnection(std::shared_ptr<ServerCore> core, Stream stream);
  ~HttpConnection() override;

  void start() override;
  void expire() override;
  void stop() override;
  void abort() override;

  // SseWriter
  WriteResult write(SharedBytes bytes) override;
  void close() override;
  void on_writable(std::function<void()> callback) override;
  void on_closed(std::function<void()> callback) override;
  void listen(std::weak_ptr<SseWriterListener> listener) override;

 private:
  class Exchange;
  class Deferred;
  friend class Exchange;
  friend class Deferred;
  using Lock = std::unique_lock<std::mutex>;

  enum class Phase : std::uint8_t { handshake, reading, responding, streaming, closed };
  // What the deadline (ConnectionBase::deadline_ms) waits for, so that expire()
  // knows which limit bit: a request to arrive (handshake included), the next
  // request on an idle keep-alive connection, the client to accept bytes, or its
  // close_notify.
  // The response wait is for a deferred answer (HttpServerOptions::response_timeout).
  enum class Wait : std::uint8_t { none, request, idle, write, shutdown, response };

  std::shared_ptr<HttpConnection> self() {
    return std::static_pointer_cast<HttpConnection>(shared_from_this());
  }
  decltype(auto) socket() noexcept {
    if constexpr (is_tls) {
      return (stream_.next_layer());
    } else {
      return (stream_);
    }
  }

  // Request side.
  void arm_read_locked();
  void on_readable(const std::error_code& ec);                 // plain TCP
  void on_tls_read(const std::error_code& ec, std::size_t n);  // TLS
  void on_stream_readable_locked(Lock& lock);                  // client gone?
  void handle_input(HttpParser::Result result);
  bool serve(HttpRequest& request);
  bool finish_answer_locked();
  void after_response();
  void answer_parse_error(int status);
  RequestLog request_log_locked(const HttpRequest& request);
  void log_answer(const RequestLog& log, int status, bool stream) const;

  // Called by Exchange (the handler is running: corked_ holds the bytes).
  void queue_response(HttpResponse&& response);
  std::shared_ptr<SseWriter> start_stream(int status, std::vector<HttpField>&& fields);
  void start_stream_locked(int status, const std::vector<HttpField>& fields);

  // Deferred answers (http_connection_deferred.ipp).
  void begin_deferral();
  bool answer_deferred(HttpResponse&& response);
  std::shared_ptr<SseWriter> answer_deferred_stream(int status, std::vector<HttpField>&& fields,
                                                    bool& delivered);
  void park_locked();
  void resume_locked();
  void finish_deferred();
  void watch_client_locked();
  void on_watch(const std::error_code& ec);
  void cancel_watch_locked();
  void answer_response_timeout_locked();

  // Write side.
  void enqueue_locked(SharedBytes bytes);  // a response's bytes: no high-water mark
  void consume_locked(std::size_t n);
  void flush_locked();
  void start_async_write_locked();
  void initiate_async_write_locked();
  void on_write(const std::error_code& ec, std::size_t n);
  void finish_if_closing_locked();

  // Time limits.
  void wait_locked(Wait what, std::chrono::seconds timeout);
  void no_wait_locked();
  void arm_write_wait_locked();

  // Teardown.
  void mark_closed_locked();
  void graceful_close_locked();
  void hard_close_locked();
  void post_callbacks_locked();
  void run_callbacks(Lock& lock);

  Stream stream_;

  std::mutex mutex_;
  std::unique_ptr<HttpParser> parser_;  // request phases only
  std::unique_ptr<char[]> tls_buffer_;  // TLS request phases only
  // Bytes accepted and not yet written, the high-water mark (stream_high_water)
  // and close-after-drain: the library's SseWriteQueue, shared with
  // BasicSseStreamWriter. It holds no storage while nothing waits.
  SseWriteQueue queue_;
  SseWriterListeners listeners_;  // the library's stream, or a host's callbacks
  Phase phase_ = Phase::handshake;
  Wait wait_ = Wait::none;
  // One bit each (set in the constructor; C++17 has no initialisers for bit-fields):
  // every open stream carries them, and bytes per idle stream are what issue 12
  // counts.
  bool keep_alive_ : 1;
  bool corked_ : 1;            // a handler is running: hold bytes until it returns
  bool writing_ : 1;           // an asynchronous write is in flight
  bool response_pending_ : 1;  // the response is still being written
  bool writable_pending_ : 1;  // on_writable is due
  bool closed_pending_ : 1;    // on_closed is due
  bool in_callbacks_ : 1;      // a thread is running the callbacks
  bool stream_counted_ : 1;
  bool head_request_ : 1;  // the request being answered is a HEAD
  bool awaiting_ : 1;      // a deferred answer is due (corked_: the handler still runs)
  bool watching_ : 1;      // a wait for the client leaving is pending (awaiting_ only)
};

}  // namespace eudiplo_sse::http::detail
