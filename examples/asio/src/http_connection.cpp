#include "http_connection.hpp"

#include <sys/socket.h>

#include <asio/post.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <limits>
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
    case 408: return "request timeout";
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

}  // namespace

// The handler's view of the request being answered. Lives on serve()'s stack:
// a deferred answer goes through the Deferred it hands out instead.
template <typename Stream>
class HttpConnection<Stream>::Exchange final : public HttpExchange {
 public:
  Exchange(HttpConnection& connection, const HttpRequest& request, RequestLog& log)
      : connection_(connection), request_(request), log_(log) {}

  const HttpRequest& request() const noexcept override { return request_; }

  void respond(HttpResponse response) override {
    if (responded_) return;
    responded_ = true;
    status_ = response.status;
    connection_.queue_response(std::move(response));
  }

  std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) override {
    if (responded_) return nullptr;
    responded_ = true;
    status_ = status;
    stream_ = true;
    return connection_.start_stream(status, std::move(fields));
  }

  std::shared_ptr<DeferredResponse> defer() override;

  bool responded() const noexcept override { return responded_; }
  bool deferred() const noexcept { return deferred_; }
  int status() const noexcept { return status_; }
  bool stream() const noexcept { return stream_; }

 private:
  HttpConnection& connection_;
  const HttpRequest& request_;
  RequestLog& log_;
  bool responded_ = false;
  bool deferred_ = false;
  bool stream_ = false;
  int status_ = 0;
};

template <typename Stream>
HttpConnection<Stream>::HttpConnection(std::shared_ptr<ServerCore> core, Stream stream)
    : ConnectionBase(std::move(core)),
      stream_(std::move(stream)),
      keep_alive_(true),
      corked_(false),
      writing_(false),
      response_pending_(false),
      writable_pending_(false),
      closed_pending_(false),
      in_callbacks_(false),
      stream_counted_(false),
      head_request_(false),
      awaiting_(false),
      watching_(false) {
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
  Lock lock(mutex_);
  wait_locked(Wait::request, core_->options.request_timeout);
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

// The members, by what they do (one translation unit, so that the explicit
// instantiations below see every definition).
#include "http_connection_deferred.ipp"
#include "http_connection_read.ipp"
#include "http_connection_teardown.ipp"
#include "http_connection_write.ipp"

template class HttpConnection<PlainStream>;
template class HttpConnection<TlsStream>;

}  // namespace eudiplo_sse::http::detail
