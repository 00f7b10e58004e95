// BasicSseStreamWriter<Net, Stream>: the library's SseWriter over any Asio
// AsyncWriteStream (a TCP socket, an ssl::stream, Beast's tcp_stream), written once
// for standalone Asio and Boost.Asio. `Net` names the flavour's types and free
// functions (see eudiplo_sse/asio/sse_stream_writer.hpp and
// eudiplo_sse/boost_asio/sse_stream_writer.hpp); this header includes no Asio.
//
// The writer takes over the connection once the route has accepted the request:
// it sends the head the host formatted (format_response_head), then every write()
// (as one HTTP/1.1 chunk when options.chunked), and ends the response after
// close(). All I/O runs on a strand of its own over the stream's executor, one
// write in flight; bytes written meanwhile queue up and leave together. Past
// `high_water` queued bytes write() answers `full`, and on_writable fires once the
// queue has drained to half of it, so a slow client costs bounded memory. The
// queue and those rules are SseWriteQueue's (eudiplo_sse/sse_write_queue.hpp),
// which the example server's own connection uses too.
//
// A client that goes away is noticed at once through a pending 1-byte read (an SSE
// client sends nothing after its request); one that stops reading is dropped when
// a write takes longer than `write_timeout`. Callbacks never run inside write(),
// close() or on_closed(): they run on the strand.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "eudiplo_sse/shared_bytes.hpp"
#include "eudiplo_sse/sse_write_queue.hpp"
#include "eudiplo_sse/sse_writer.hpp"
#include "eudiplo_sse/sse_writer_listeners.hpp"

namespace eudiplo_sse {

struct SseStreamWriterOptions {
  std::size_t high_water = 64 * 1024;
  std::chrono::seconds write_timeout{30};
  // HTTP/1.1 chunked framing of the body (the head said Transfer-Encoding: chunked).
  bool chunked = true;
};

namespace detail {

template <class S, class = void>
struct has_lowest_layer : std::false_type {};
template <class S>
struct has_lowest_layer<S, std::void_t<decltype(std::declval<S&>().lowest_layer())>>
    : std::true_type {};

template <class S, class = void>
struct has_socket : std::false_type {};
template <class S>
struct has_socket<S, std::void_t<decltype(std::declval<S&>().socket())>> : std::true_type {};

template <class S, class = void>
struct has_expires_never : std::false_type {};
template <class S>
struct has_expires_never<S, std::void_t<decltype(std::declval<S&>().expires_never())>>
    : std::true_type {};

// The socket under a stream: a socket itself, an ssl::stream (lowest_layer()) or
// Beast's tcp_stream (socket()).
template <class Stream>
auto& transport_socket(Stream& stream) {
  if constexpr (has_socket<Stream>::value) {
    return stream.socket();
  } else if constexpr (has_lowest_layer<Stream>::value) {
    return stream.lowest_layer();
  } else {
    return stream;
  }
}

}  // namespace detail

template <class Net, class Stream>
class BasicSseStreamWriter final
    : public SseWriter,
      public std::enable_shared_from_this<BasicSseStreamWriter<Net, Stream>> {
 public:
  using error_code = typename Net::error_code;

  // Takes the connection and starts sending `head` (status line and headers).
  static std::shared_ptr<BasicSseStreamWriter> start(Stream stream, std::string head,
                                                     SseStreamWriterOptions options = {}) {
    auto writer =
        std::make_shared<BasicSseStreamWriter>(std::move(stream), std::move(head), options);
    Net::post(writer->strand_, [writer] { writer->begin(); });
    return writer;
  }

  BasicSseStreamWriter(Stream stream, std::string head, SseStreamWriterOptions options)
      : stream_(std::move(stream)),
        strand_(Net::make_strand(stream_.get_executor())),
        timer_(strand_),
        options_(options),
        head_(std::move(head)) {}

  WriteResult write(SharedBytes bytes) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || queue_.closing()) return WriteResult::closed;
    if (!bytes || bytes->empty()) return WriteResult::accepted;  // an empty chunk would end it
    const WriteResult result = queue_.push(std::move(bytes), options_.high_water);
    schedule_locked();
    return result;
  }

  void close() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || queue_.closing()) return;
    queue_.close();
    schedule_locked();
  }

  void on_writable(std::function<void()> callback) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) listeners_.on_writable(std::move(callback));
  }

  void listen(std::weak_ptr<SseWriterListener> listener) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!closed_) {
        listeners_.listen(std::move(listener));
        return;
      }
    }
    // Never from inside this call.
    Net::post(strand_, [listener = std::move(listener)] {
      SseWriterListeners::Call{listener.lock(), nullptr}.closed();
    });
  }

  void on_closed(std::function<void()> callback) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!closed_) {
        listeners_.on_closed(std::move(callback));
        return;
      }
    }
    // Never from inside this call.
    // A Call swallows what the callback throws: it must not unwind through the host's loop.
    Net::post(strand_, [callback = std::move(callback)]() mutable {
      SseWriterListeners::Call{nullptr, std::move(callback)}.closed();
    });
  }

  // Bytes accepted and still to be written (for tests and metrics); none once
  // the connection has ended (a write in flight then keeps its bytes only until it
  // completes).
  std::size_t queued_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_ ? 0 : queue_.size();
  }

 private:
  // Queued events sent in one chunk at most; more go in the next.
  static constexpr std::size_t max_batch = 16;
  // The chunk's head, up to max_batch events and the chunk's end; unused entries
  // are empty. An array, so that a write allocates no buffer list.
  using Buffers = std::array<typename Net::const_buffer, max_batch + 2>;

  // With mutex_ held: make sure a write_next() is running or posted.
  void schedule_locked() {
    if (writing_) return;
    writing_ = true;
    Net::post(strand_, [self = this->shared_from_this()] { self->write_next(); });
  }

  // Everything below runs on the strand.
  void begin() {
    if constexpr (detail::has_expires_never<Stream>::value) {
      stream_.expires_never();  // the host's request deadline must not end the stream
    }
    read_until_closed();
    Buffers buffers{};
    buffers[0] = typename Net::const_buffer(head_.data(), head_.size());
    async_send(buffers);
  }

  void write_next() {
    std::string_view views[max_batch];
    std::size_t count = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      if (queue_.empty() && !queue_.closing()) {
        writing_ = false;
        return;
      }
      // The views stay valid until consumed: the bytes stay queued while written.
      count = queue_.gather(views, max_batch);
    }
    if (count == 0) {  // closed and drained: end the response
      ending_ = true;
      if (!options_.chunked) return end_connection();
      static constexpr char last_chunk[] = "0\r\n\r\n";
      Buffers buffers{};
      buffers[0] = typename Net::const_buffer(last_chunk, sizeof last_chunk - 1);
      async_send(buffers);
      return;
    }
    async_send(chunk_buffers(views, count));
  }

  // `count` queued events as one chunk, the buffers pointing into the shared bytes.
  Buffers chunk_buffers(const std::string_view* views, std::size_t count) {
    Buffers buffers{};
    std::size_t size = 0;
    for (std::size_t i = 0; i < count; ++i) size += views[i].size();
    in_flight_ = size;
    std::size_t n = 0;
    if (options_.chunked) {
      const int head = std::snprintf(chunk_head_.data(), chunk_head_.size(), "%zx\r\n", size);
      buffers[n++] = typename Net::const_buffer(chunk_head_.data(), static_cast<std::size_t>(head));
    }
    for (std::size_t i = 0; i < count; ++i) {
      buffers[n++] = typename Net::const_buffer(views[i].data(), views[i].size());
    }
    if (options_.chunked) buffers[n++] = typename Net::const_buffer("\r\n", 2);
    return buffers;
  }

  void async_send(const Buffers& buffers) {
    const std::uint64_t write_id = ++write_id_;
    timer_.expires_after(options_.write_timeout);
    timer_.async_wait([self = this->shared_from_this(), write_id](const error_code& ec) {
      // A client that stopped reading: drop it rather than hold its bytes forever.
      if (!ec && self->write_id_ == write_id && !self->write_done_) self->end_connection();
    });
    write_done_ = false;
    Net::async_write(
        stream_, buffers,
        Net::bind(strand_, [self = this->shared_from_this()](const error_code& ec, std::size_t) {
          self->write_done_ = true;
          self->timer_.cancel();
          self->on_written(ec);
        }));
  }

  void on_written(const error_code& ec) {
    if (ec || ending_) return end_connection();  // a failed write, or the end is out
    SseWriterListeners::Call notify;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) {
        queue_.clear();  // kept while the write was in flight (see end_connection)
        return;
      }
      if (queue_.consume(in_flight_, options_.high_water)) notify = listeners_.writable_call();
    }
    in_flight_ = 0;
    notify.writable();  // may call write(): the mutex is not held
    write_next();
  }

  void read_until_closed() {
    // Completes only when the client goes away (EOF, reset) or the connection is
    // closed here; bytes a client sends anyway are dropped.
    stream_.async_read_some(
        typename Net::mutable_buffer(read_byte_.data(), read_byte_.size()),
        Net::bind(strand_, [self = this->shared_from_this()](const error_code& ec, std::size_t) {
          if (ec) return self->end_connection();
          self->read_until_closed();
        }));
  }

  void end_connection() {
    SseWriterListeners::Call closed_call;
    std::function<void()> writable_callback;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // A write in flight may still read its bytes: on_written() drops them then.
      if (write_done_) queue_.clear();
      if (closed_) return;
      closed_ = true;
      queue_.close();
      closed_call = listeners_.take_closed(writable_callback);
    }
    writable_callback = nullptr;
    timer_.cancel();
    auto& socket = detail::transport_socket(stream_);
    error_code ignored;
    socket.shutdown(std::decay_t<decltype(socket)>::shutdown_both, ignored);
    socket.close(ignored);
    closed_call.closed();
  }

  Stream stream_;
  typename Net::executor strand_;
  typename Net::steady_timer timer_;
  const SseStreamWriterOptions options_;
  std::string head_;

  // Strand only.
  std::size_t in_flight_ = 0;  // bytes of the queue being written
  std::array<char, 20> chunk_head_{};
  std::array<char, 1> read_byte_{};
  std::uint64_t write_id_ = 0;
  bool write_done_ = true;
  bool ending_ = false;  // the end of the response is being written

  // Shared between the library's threads (write, close, on_*) and the strand.
  mutable std::mutex mutex_;
  SseWriteQueue queue_;  // queued and in flight: written bytes are consumed after the write
  bool writing_ = true;  // the head, then a write, is in flight or posted
  bool closed_ = false;
  SseWriterListeners listeners_;  // the library's stream, or a host's callbacks
};

}  // namespace eudiplo_sse
