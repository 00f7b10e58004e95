#include "http_connection.hpp"

#include <asio/post.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <string>
#include <utility>

namespace eudiplo_sse::http::detail {
namespace {

// Per read while a request arrives; lives on the handler's stack, not in the connection.
constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::size_t tls_read_chunk = 4 * 1024;
constexpr std::size_t max_write_buffers = 8;

bool would_block(const std::error_code& ec) noexcept {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

const SharedBytes& continue_bytes() {
  static const SharedBytes bytes = make_shared_bytes("HTTP/1.1 100 Continue\r\n\r\n");
  return bytes;
}

std::string_view parse_error_message(int status) noexcept {
  switch (status) {
    case 413: return "request body too large";
    case 414: return "request line too long";
    case 431: return "request header section too large";
    case 501: return "transfer coding not supported";
    case 505: return "HTTP version not supported";
    default: return "malformed request";
  }
}

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  const auto address = ep.address();
  std::string out = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  out.push_back(':');
  out.append(std::to_string(ep.port()));
  return out;
}

template <typename Fn>
void invoke_quietly(Fn& fn) noexcept {
  try {
    fn();
  } catch (...) {
    // A callback must not take the server down; the library's never throw.
  }
}

}  // namespace

// The handler's view of the request being answered.
template <typename Stream>
class HttpConnection<Stream>::Exchange final : public HttpExchange {
 public:
  Exchange(HttpConnection& connection, const HttpRequest& request)
      : connection_(connection), request_(request) {}

  const HttpRequest& request() const noexcept override { return request_; }

  void respond(HttpResponse response) override {
    if (responded_) return;
    responded_ = true;
    status_ = response.status;
    connection_.queue_response(request_, std::move(response));
  }

  std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) override {
    if (responded_) return nullptr;
    responded_ = true;
    status_ = status;
    stream_ = true;
    return connection_.start_stream(status, std::move(fields), request_.method == "HEAD");
  }

  bool responded() const noexcept override { return responded_; }
  int status() const noexcept { return status_; }
  bool stream() const noexcept { return stream_; }

 private:
  HttpConnection& connection_;
  const HttpRequest& request_;
  bool responded_ = false;
  bool stream_ = false;
  int status_ = 0;
};

template <typename Stream>
HttpConnection<Stream>::HttpConnection(std::shared_ptr<ServerCore> core, Stream stream)
    : ConnectionBase(std::move(core)), stream_(std::move(stream)) {
  core_->connections.fetch_add(1, std::memory_order_relaxed);
}

template <typename Stream>
HttpConnection<Stream>::~HttpConnection() {
  if (stream_counted_) core_->streams.fetch_sub(1, std::memory_order_relaxed);
  core_->connections.fetch_sub(1, std::memory_order_relaxed);
}

template <typename Stream>
void HttpConnection<Stream>::start() {
  link();
  set_deadline();
  Lock lock(mutex_);
  parser_ = std::make_unique<HttpParser>(core_->options.limits);
  std::error_code ec;
  socket().set_option(asio::ip::tcp::no_delay(true), ec);
  if constexpr (!is_tls) {
    // Synchronous reads and writes then answer would_block instead of waiting.
    socket().non_blocking(true, ec);
    phase_ = Phase::reading;
    arm_read_locked();
  } else {
    tls_buffer_.reset(new char[tls_read_chunk]);
    // Every SSL operation starts inside the connection's strand.
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      if (self->phase_ != Phase::handshake) return;
      self->stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self](const std::error_code& ec) {
                                      Lock lock(self->mutex_);
                                      if (self->phase_ != Phase::handshake) return;
                                      if (ec) {
                                        self->hard_close_locked();
                                        return;
                                      }
                                      self->phase_ = Phase::reading;
                                      self->arm_read_locked();
                                    });
    });
  }
}

// ---- request side -----------------------------------------------------------

template <typename Stream>
void HttpConnection<Stream>::arm_read_locked() {
  if constexpr (!is_tls) {
    // Wait for readability instead of reading into a buffer: a connection that
    // waits (idle keep-alive, open stream) holds no read buffer at all.
    socket().async_wait(asio::socket_base::wait_read,
                        [self = self()](const std::error_code& ec) { self->on_readable(ec); });
  } else {
    stream_.async_read_some(
        asio::buffer(tls_buffer_.get(), tls_read_chunk),
        [self = self()](const std::error_code& ec, std::size_t n) { self->on_tls_read(ec, n); });
  }
}

template <typename Stream>
void HttpConnection<Stream>::on_readable(const std::error_code& ec) {
  Lock lock(mutex_);
  if (phase_ == Phase::closed) return;
  if (ec) {
    hard_close_locked();
    return;
  }
  if (phase_ == Phase::streaming) {
    on_stream_readable_locked(lock);
    return;
  }
  if (phase_ != Phase::reading) return;
  char buffer[read_chunk];
  std::error_code rec;
  const std::size_t n = socket().read_some(asio::buffer(buffer), rec);
  if (would_block(rec)) {
    arm_read_locked();
    return;
  }
  if (rec) {
    // EOF or reset: the client is done with this connection.
    hard_close_locked();
    return;
  }
  const auto result = parser_->feed(std::string_view(buffer, n));
  lock.unlock();
  handle_input(result);
}

template <typename Stream>
void HttpConnection<Stream>::on_tls_read(const std::error_code& ec, std::size_t n) {
  Lock lock(mutex_);
  if (phase_ == Phase::closed) return;
  if (ec) {
    hard_close_locked();
    return;
  }
  if (phase_ == Phase::streaming) {
    arm_read_locked();  // bytes after the request of a stream are ignored
    return;
  }
  if (phase_ != Phase::reading) return;
  const auto result = parser_->feed(std::string_view(tls_buffer_.get(), n));
  lock.unlock();
  handle_input(result);
}

template <typename Stream>
void HttpConnection<Stream>::on_stream_readable_locked(Lock&) {
  // An SSE client sends nothing after its request; readability means it left
  // (EOF, reset) or, rarely, sent bytes that are discarded.
  char buffer[512];
  for (int i = 0; i < 8; ++i) {
    std::error_code ec;
    socket().read_some(asio::buffer(buffer), ec);
    if (would_block(ec)) break;
    if (ec) {
      hard_close_locked();
      return;
    }
  }
  arm_read_locked();
}

template <typename Stream>
void HttpConnection<Stream>::handle_input(HttpParser::Result result) {
  for (;;) {
    if (result == HttpParser::Result::need_more) {
      Lock lock(mutex_);
      if (phase_ != Phase::reading) return;
      if (parser_->expects_continue()) {
        parser_->continue_sent();
        enqueue_locked(continue_bytes());
        flush_locked();
        if (phase_ == Phase::closed) return;
      }
      arm_read_locked();
      return;
    }
    if (result == HttpParser::Result::error) {
      answer_parse_error(parser_->error_status());
      return;
    }
    HttpRequest request = parser_->take_request();
    if (!serve(request)) return;
    result = parser_->parse();
  }
}

template <typename Stream>
bool HttpConnection<Stream>::serve(HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  std::string remote;
  {
    Lock lock(mutex_);
    if (phase_ != Phase::reading) return false;
    phase_ = Phase::responding;
    keep_alive_ = request.keep_alive && !core_->stopping.load(std::memory_order_relaxed);
    corked_ = true;
    if (core_->options.access_log) {
      std::error_code ec;
      const auto ep = socket().remote_endpoint(ec);
      if (!ec) remote = endpoint_text(ep);
    }
  }
  clear_deadline();

  Exchange exchange(*this, request);
  try {
    core_->handler(exchange);
  } catch (...) {
    // Answered below if the handler had not answered yet.
  }
  if (!exchange.responded()) {
    try {
      exchange.respond(HttpResponse::error(500, "internal error"));
    } catch (...) {
    }
  }

  bool next = false;
  {
    Lock lock(mutex_);
    corked_ = false;
    if (phase_ == Phase::streaming) {
      // The request is done with; an open stream keeps no parser state.
      parser_.reset();
      flush_locked();
      finish_if_closing_locked();
      if (phase_ == Phase::streaming) arm_read_locked();
    } else if (phase_ == Phase::responding) {
      response_pending_ = true;
      flush_locked();
      if (phase_ == Phase::responding && !writing_) {
        response_pending_ = false;
        if (keep_alive_) {
          phase_ = Phase::reading;
          set_deadline();
          parser_->release_memory();
          next = true;
        } else {
          graceful_close_locked();
        }
      }
    }
  }

  if (const auto& log = core_->options.access_log) {
    AccessLogEntry entry;
    entry.remote = remote;
    entry.method = request.method;
    entry.target = request.target;
    entry.status = exchange.status();
    entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    entry.stream = exchange.stream();
    try {
      log(entry);
    } catch (...) {
    }
  }
  return next;
}

template <typename Stream>
void HttpConnection<Stream>::after_response() {
  {
    Lock lock(mutex_);
    if (phase_ != Phase::responding) return;
    response_pending_ = false;
    if (!keep_alive_ || core_->stopping.load(std::memory_order_relaxed)) {
      graceful_close_locked();
      return;
    }
    phase_ = Phase::reading;
    set_deadline();
    parser_->release_memory();
  }
  handle_input(parser_->parse());
}

template <typename Stream>
void HttpConnection<Stream>::answer_parse_error(int status) {
  std::string remote;
  {
    Lock lock(mutex_);
    if (phase_ != Phase::reading) return;
    phase_ = Phase::responding;
    keep_alive_ = false;
    clear_deadline();
    if (core_->options.access_log) {
      std::error_code ec;
      const auto ep = socket().remote_endpoint(ec);
      if (!ec) remote = endpoint_text(ep);
    }
    const auto response = HttpResponse::error(status, parse_error_message(status));
    enqueue_locked(make_shared_bytes(serialize_response(response, false)));
    response_pending_ = true;
    flush_locked();
    if (phase_ == Phase::responding && !writing_) graceful_close_locked();
  }
  parser_->release_memory();
  if (const auto& log = core_->options.access_log) {
    AccessLogEntry entry;
    entry.remote = remote;
    entry.status = status;
    try {
      log(entry);
    } catch (...) {
    }
  }
}

template <typename Stream>
void HttpConnection<Stream>::queue_response(const HttpRequest& request, HttpResponse&& response) {
  Lock lock(mutex_);
  if (phase_ != Phase::responding) return;
  enqueue_locked(
      make_shared_bytes(serialize_response(response, keep_alive_, request.method == "HEAD")));
}

template <typename Stream>
std::shared_ptr<SseWriter> HttpConnection<Stream>::start_stream(int status,
                                                                std::vector<HttpField>&& fields,
                                                                bool head_only) {
  Lock lock(mutex_);
  if (phase_ == Phase::responding) {
    phase_ = Phase::streaming;
    keep_alive_ = false;
    stream_counted_ = true;
    core_->streams.fetch_add(1, std::memory_order_relaxed);
    // No length and no chunked coding: the body runs until the connection closes,
    // so a raw client reads pure event-stream bytes.
    enqueue_locked(make_shared_bytes(serialize_head(status, fields, std::nullopt, false)));
    // HEAD: the head alone; every write is refused and the connection ends.
    if (head_only) closing_ = true;
  }
  // When closed meanwhile, writes answer `closed` and on_closed fires.
  return self();
}

// ---- write side -------------------------------------------------------------

template <typename Stream>
WriteResult HttpConnection<Stream>::write(SharedBytes bytes) {
  Lock lock(mutex_);
  if (phase_ != Phase::streaming || closing_) return WriteResult::closed;
  if (!bytes || bytes->empty()) return WriteResult::accepted;
  if constexpr (!is_tls) {
    if (!corked_ && !writing_ && queue_empty()) {
      // The common case: the socket has room, the bytes leave now, nothing is queued.
      std::error_code ec;
      std::size_t n = socket().write_some(asio::buffer(*bytes), ec);
      if (would_block(ec)) {
        n = 0;
      } else if (ec) {
        hard_close_locked();
        return WriteResult::closed;
      }
      if (n == bytes->size()) return WriteResult::accepted;
      enqueue_locked(std::move(bytes), n);
      start_async_write_locked();
    } else {
      enqueue_locked(std::move(bytes));
    }
  } else {
    enqueue_locked(std::move(bytes));
    if (!corked_ && !writing_) start_async_write_locked();
  }
  if (queued() > core_->options.stream_high_water) {
    want_writable_ = true;
    return WriteResult::full;
  }
  return WriteResult::accepted;
}

template <typename Stream>
void HttpConnection<Stream>::close() {
  Lock lock(mutex_);
  if (phase_ == Phase::closed || closing_) return;
  closing_ = true;
  finish_if_closing_locked();
}

template <typename Stream>
void HttpConnection<Stream>::on_writable(std::function<void()> callback) {
  Lock lock(mutex_);
  if (phase_ == Phase::closed) return;  // would never fire; holding it could only leak
  on_writable_ = std::move(callback);
}

template <typename Stream>
void HttpConnection<Stream>::on_closed(std::function<void()> callback) {
  Lock lock(mutex_);
  on_closed_ = std::move(callback);
  if (phase_ == Phase::closed) {
    closed_pending_ = true;
    post_callbacks_locked();
  }
}

template <typename Stream>
void HttpConnection<Stream>::enqueue_locked(SharedBytes bytes, std::size_t offset) {
  if (!queue_) queue_ = std::make_unique<WriteQueue>();
  queue_->push(std::move(bytes), offset);
}

template <typename Stream>
void HttpConnection<Stream>::consume_locked(std::size_t n) {
  if (!queue_) return;
  queue_->consume(n);
  if (!queue_->empty()) return;
  queue_.reset();
  // Drained, by whichever path: a writer that answered `full` may write again.
  if (want_writable_) {
    want_writable_ = false;
    writable_pending_ = true;
  }
}

template <typename Stream>
void HttpConnection<Stream>::flush_locked() {
  if (corked_ || writing_ || queue_empty() || phase_ == Phase::closed) return;
  if constexpr (!is_tls) {
    std::string_view views[max_write_buffers];
    std::array<asio::const_buffer, max_write_buffers> buffers{};
    while (!queue_empty()) {
      const std::size_t count = queue_->gather(views, max_write_buffers);
      for (std::size_t i = 0; i < max_write_buffers; ++i) {
        buffers[i] =
            i < count ? asio::buffer(views[i].data(), views[i].size()) : asio::const_buffer();
      }
      std::error_code ec;
      const std::size_t n = socket().write_some(buffers, ec);
      if (would_block(ec)) break;
      if (ec) {
        hard_close_locked();
        return;
      }
      consume_locked(n);
    }
    if (!queue_empty()) {
      start_async_write_locked();
    } else {
      post_callbacks_locked();  // on_writable, when a `full` was answered meanwhile
    }
  } else {
    start_async_write_locked();
  }
}

template <typename Stream>
void HttpConnection<Stream>::start_async_write_locked() {
  writing_ = true;
  if constexpr (!is_tls) {
    initiate_async_write_locked();
  } else {
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      self->initiate_async_write_locked();
    });
  }
}

template <typename Stream>
void HttpConnection<Stream>::initiate_async_write_locked() {
  if (phase_ == Phase::closed || queue_empty()) {
    writing_ = false;
    if (phase_ != Phase::closed) {
      finish_if_closing_locked();
    }
    return;
  }
  std::string_view views[max_write_buffers];
  const std::size_t count = queue_->gather(views, max_write_buffers);
  std::array<asio::const_buffer, max_write_buffers> buffers{};
  for (std::size_t i = 0; i < count; ++i)
    buffers[i] = asio::buffer(views[i].data(), views[i].size());
  stream_.async_write_some(buffers, [self = self()](const std::error_code& ec, std::size_t n) {
    self->on_write(ec, n);
  });
}

template <typename Stream>
void HttpConnection<Stream>::on_write(const std::error_code& ec, std::size_t n) {
  Lock lock(mutex_);
  writing_ = false;
  if (phase_ == Phase::closed) return;
  if (ec) {
    hard_close_locked();
    return;
  }
  consume_locked(n);
  if (!queue_empty()) {
    start_async_write_locked();
    return;
  }
  if (closing_) {
    graceful_close_locked();
    return;
  }
  if (response_pending_ && phase_ == Phase::responding) {
    lock.unlock();
    after_response();
    return;
  }
  if (writable_pending_) run_callbacks(lock);
}

template <typename Stream>
void HttpConnection<Stream>::finish_if_closing_locked() {
  if (closing_ && !corked_ && !writing_ && queue_empty()) graceful_close_locked();
}

// ---- teardown ---------------------------------------------------------------

// The bookkeeping both ways of closing share: no deadline, no queue, not a stream.
template <typename Stream>
void HttpConnection<Stream>::mark_closed_locked() {
  phase_ = Phase::closed;
  closing_ = true;
  clear_deadline();
  queue_.reset();
  if (stream_counted_) {
    stream_counted_ = false;
    core_->streams.fetch_sub(1, std::memory_order_relaxed);
  }
}

template <typename Stream>
void HttpConnection<Stream>::graceful_close_locked() {
  if (phase_ == Phase::closed) return;
  mark_closed_locked();
  std::error_code ec;
  if constexpr (!is_tls) {
    // Unread input would make close() send a reset, which can destroy the last
    // bytes of the response on their way to the client: drain it first.
    char buffer[1024];
    for (int i = 0; i < 16; ++i) {
      socket().read_some(asio::buffer(buffer), ec);
      if (ec) break;
    }
    socket().shutdown(asio::socket_base::shutdown_send, ec);
    socket().close(ec);
  } else {
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      std::error_code ec;
      self->socket().cancel(ec);  // the read that watches for the client leaving
      // close_notify, so the client can tell the end of the stream from a cut;
      // the socket closes when the client answers or goes away.
      self->stream_.async_shutdown([self](const std::error_code&) {
        Lock lock(self->mutex_);
        std::error_code ec;
        self->socket().close(ec);
      });
    });
  }
  closed_pending_ = true;
  post_callbacks_locked();
}

template <typename Stream>
void HttpConnection<Stream>::hard_close_locked() {
  if (phase_ == Phase::closed) return;
  mark_closed_locked();
  if constexpr (!is_tls) {
    std::error_code ec;
    socket().close(ec);
  } else {
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      std::error_code ec;
      self->socket().close(ec);
    });
  }
  closed_pending_ = true;
  post_callbacks_locked();
}

template <typename Stream>
void HttpConnection<Stream>::post_callbacks_locked() {
  const bool due = (closed_pending_ && on_closed_) || (writable_pending_ && on_writable_);
  if (!due) return;
  // Never from inside write()/close(): the library may hold its own lock there.
  asio::post(core_->io, [self = self()] {
    Lock lock(self->mutex_);
    self->run_callbacks(lock);
  });
}

template <typename Stream>
void HttpConnection<Stream>::run_callbacks(Lock& lock) {
  // One thread runs the callbacks at a time; another that finds them running
  // leaves its work to that thread, which loops until nothing is due.
  if (in_callbacks_) return;
  in_callbacks_ = true;
  for (;;) {
    if (closed_pending_ && on_closed_) {
      closed_pending_ = false;
      writable_pending_ = false;
      std::function<void()> closed = std::move(on_closed_);
      std::function<void()> writable = std::move(on_writable_);
      on_closed_ = nullptr;
      on_writable_ = nullptr;
      lock.unlock();
      // Dropping both callbacks breaks any reference cycle through the library.
      writable = nullptr;
      invoke_quietly(closed);
      closed = nullptr;
      lock.lock();
      continue;
    }
    if (writable_pending_ && on_writable_ && phase_ != Phase::closed) {
      writable_pending_ = false;
      std::function<void()> writable = on_writable_;
      lock.unlock();
      invoke_quietly(writable);
      writable = nullptr;
      lock.lock();
      continue;
    }
    break;
  }
  in_callbacks_ = false;
}

template <typename Stream>
void HttpConnection<Stream>::expire() {
  Lock lock(mutex_);
  if (phase_ != Phase::reading && phase_ != Phase::handshake) return;
  const auto deadline = deadline_ms.load(std::memory_order_relaxed);
  if (deadline == 0 || deadline > steady_ms()) return;
  hard_close_locked();
}

template <typename Stream>
void HttpConnection<Stream>::stop() {
  Lock lock(mutex_);
  switch (phase_) {
    case Phase::handshake:
    case Phase::reading: hard_close_locked(); break;
    case Phase::responding: keep_alive_ = false; break;
    case Phase::streaming:
    case Phase::closed: break;
  }
}

template <typename Stream>
void HttpConnection<Stream>::abort() {
  Lock lock(mutex_);
  if (phase_ != Phase::closed) {
    hard_close_locked();
    return;
  }
  if constexpr (is_tls) {
    // A TLS shutdown may still wait for the client's close_notify.
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      std::error_code ec;
      self->socket().close(ec);
    });
  }
}

template class HttpConnection<PlainStream>;
template class HttpConnection<TlsStream>;

}  // namespace eudiplo_sse::http::detail
