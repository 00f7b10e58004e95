// BeastSseWriter: eudiplo_sse's SseWriter over a Boost.Beast connection. This is the
// whole of what a Beast host writes to stream GET /session/:id/events.
//
// It takes over the connection once the route has accepted the request, writes the
// route's status and headers, then each write() as one HTTP/1.1 chunk, and ends the
// response with the last chunk after close(). Writes run on the connection's strand,
// one in flight; bytes written meanwhile queue up and go out together in the next
// chunk. Past `high_water` queued bytes, write() answers `full` and on_writable fires
// once the queue has drained below half of it, so a slow client costs a bounded
// amount of memory (the library holds only the newest event meanwhile).
//
// A client that goes away is noticed by a pending 1-byte read; one that stops
// reading is dropped when a write takes longer than `write_timeout`.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <eudiplo_sse/sse_writer.hpp>

namespace beast_host {

struct BeastSseWriterOptions {
  std::size_t high_water = 64 * 1024;
  std::chrono::seconds write_timeout{30};
};

class BeastSseWriter final : public eudiplo_sse::SseWriter,
                             public std::enable_shared_from_this<BeastSseWriter> {
 public:
  using Head = boost::beast::http::response<boost::beast::http::empty_body>;

  // Takes the connection (whose executor must be a strand) and starts sending
  // `head`, the status line and headers of the route's answer.
  static std::shared_ptr<BeastSseWriter> start(boost::beast::tcp_stream stream, Head head,
                                               BeastSseWriterOptions options = {});

  BeastSseWriter(boost::beast::tcp_stream stream, Head head, BeastSseWriterOptions options);

  eudiplo_sse::WriteResult write(eudiplo_sse::SharedBytes bytes) override;
  void close() override;
  void on_writable(std::function<void()> callback) override;
  void on_closed(std::function<void()> callback) override;

 private:
  // Everything below runs on the strand.
  void begin();
  void write_next();
  void on_written(boost::beast::error_code ec);
  void read_until_closed();
  void end_connection();

  boost::beast::tcp_stream stream_;
  boost::asio::any_io_executor strand_;
  const BeastSseWriterOptions options_;
  Head head_;
  boost::beast::http::response_serializer<boost::beast::http::empty_body> head_serializer_{head_};
  std::vector<eudiplo_sse::SharedBytes> in_flight_;  // keeps the chunk's bytes alive
  std::array<char, 1> read_byte_;
  bool ending_ = false;  // the last chunk is being written

  // Shared between the library's threads (write, close, on_*) and the strand.
  std::mutex mutex_;
  std::vector<eudiplo_sse::SharedBytes> queue_;
  std::size_t queued_bytes_ = 0;  // queued and in flight
  bool writing_ = true;           // a write (the head, at first) is in flight or posted
  bool want_writable_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::function<void()> on_writable_;
  std::function<void()> on_closed_;
};

}  // namespace beast_host
