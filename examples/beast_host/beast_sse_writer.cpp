#include "beast_sse_writer.hpp"

#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/write.hpp>

namespace beast_host {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using eudiplo_sse::WriteResult;

namespace {

// The library's callbacks do not throw; should one, it must not unwind through
// Asio's scheduler and take the whole server down.
void invoke(const std::function<void()>& callback) noexcept {
  try {
    callback();
  } catch (...) {
  }
}

}  // namespace

std::shared_ptr<BeastSseWriter> BeastSseWriter::start(beast::tcp_stream stream, Head head,
                                                      BeastSseWriterOptions options) {
  auto writer = std::make_shared<BeastSseWriter>(std::move(stream), std::move(head), options);
  net::post(writer->strand_, [writer] { writer->begin(); });
  return writer;
}

BeastSseWriter::BeastSseWriter(beast::tcp_stream stream, Head head, BeastSseWriterOptions options)
    : stream_(std::move(stream)),
      strand_(stream_.get_executor()),
      options_(options),
      head_(std::move(head)) {
  head_.chunked(true);
  // The connection ends with the response: the library closes it after the
  // terminal event, and EventSource reconnects on a fresh one anyway.
  head_.keep_alive(false);
}

WriteResult BeastSseWriter::write(eudiplo_sse::SharedBytes bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || closing_) return WriteResult::closed;
  queued_bytes_ += bytes->size();
  queue_.push_back(std::move(bytes));
  if (!writing_) {
    writing_ = true;
    net::post(strand_, [self = shared_from_this()] { self->write_next(); });
  }
  if (queued_bytes_ > options_.high_water) {
    want_writable_ = true;
    return WriteResult::full;
  }
  return WriteResult::accepted;
}

void BeastSseWriter::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || closing_) return;
  closing_ = true;
  if (!writing_) {
    writing_ = true;
    net::post(strand_, [self = shared_from_this()] { self->write_next(); });
  }
}

void BeastSseWriter::on_writable(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  on_writable_ = std::move(callback);
}

void BeastSseWriter::on_closed(std::function<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) {
      on_closed_ = std::move(callback);
      return;
    }
  }
  // Never from inside this call.
  net::post(strand_, [callback = std::move(callback)] { invoke(callback); });
}

void BeastSseWriter::begin() {
  stream_.expires_never();  // no deadline on the pending read; writes get their own
  read_until_closed();
  stream_.expires_after(options_.write_timeout);
  http::async_write_header(
      stream_, head_serializer_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
}

void BeastSseWriter::write_next() {
  bool finish = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    if (queue_.empty()) {
      if (!closing_) {
        writing_ = false;
        return;
      }
      finish = true;
    }
    in_flight_.swap(queue_);
  }
  stream_.expires_after(options_.write_timeout);
  auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_written(ec);
  };
  if (finish) {
    ending_ = true;
    net::async_write(stream_, http::make_chunk_last(), std::move(done));
    return;
  }
  // Everything queued goes out as one chunk, the buffers pointing into the shared
  // event bytes (no copy).
  std::vector<net::const_buffer> buffers;
  buffers.reserve(in_flight_.size());
  for (const auto& bytes : in_flight_) buffers.push_back(net::buffer(*bytes));
  net::async_write(stream_, http::make_chunk(buffers), std::move(done));
}

void BeastSseWriter::on_written(beast::error_code ec) {
  if (ec || ending_) {  // a failed write, or the last chunk is out
    end_connection();
    return;
  }
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& bytes : in_flight_) queued_bytes_ -= bytes->size();
    if (want_writable_ && queued_bytes_ <= options_.high_water / 2) {
      want_writable_ = false;
      notify = on_writable_;
    }
  }
  in_flight_.clear();
  if (notify) invoke(notify);  // may call write(): the mutex is not held
  write_next();
}

void BeastSseWriter::read_until_closed() {
  // An SSE client sends nothing after its request, so this read completes only
  // when the client goes away (EOF, reset) or the connection is closed here.
  // Bytes it sends anyway are dropped.
  stream_.async_read_some(net::buffer(read_byte_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) {
                              self->end_connection();
                            } else {
                              self->read_until_closed();
                            }
                          });
}

void BeastSseWriter::end_connection() {
  std::function<void()> closed_callback;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    on_writable_ = nullptr;
    closed_callback = std::move(on_closed_);
  }
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
  if (closed_callback) invoke(closed_callback);
}

}  // namespace beast_host
