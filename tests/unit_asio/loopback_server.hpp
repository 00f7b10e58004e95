// Real loopback sockets for the Asio adapter's tests: a server on 127.0.0.1:0 run
// by its own threads with a handler the test supplies, and a blocking client.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <asio/connect.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/asio/http_server.hpp"

namespace eudiplo_sse::test {

class TestServer {
 public:
  explicit TestServer(http::RequestHandler handler, http::HttpServerOptions options = {},
                      int threads = 2)
      : server_(io_, std::move(handler), std::move(options)) {
    REQUIRE_FALSE(server_.listen({asio::ip::make_address("127.0.0.1"), 0}));
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~TestServer() {
    server_.abort();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  std::uint16_t port() const { return server_.local_endpoint().port(); }
  http::HttpServer& server() { return server_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  http::HttpServer server_;
  std::vector<std::thread> threads_;
};

// A blocking client. Reads give up after 10 s (an exception fails the test), so
// a server that never answers fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port, int receive_buffer = 0) : socket_(io_) {
    socket_.open(asio::ip::tcp::v4());
    if (receive_buffer) socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    timeval timeout{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& text) { asio::write(socket_, asio::buffer(text)); }

  // Reads one response with a Content-Length body (none for a HEAD request).
  std::string response(bool head_only = false) {
    const auto n = asio::read_until(socket_, buffer_, "\r\n\r\n");
    std::string head(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n);
    buffer_.consume(n);
    std::size_t length = 0;
    if (const auto p = head.find("Content-Length: "); p != std::string::npos && !head_only) {
      length = std::stoul(head.substr(p + 16));
    }
    if (buffer_.size() < length)
      asio::read(socket_, buffer_, asio::transfer_exactly(length - buffer_.size()));
    std::string body(asio::buffers_begin(buffer_.data()),
                     asio::buffers_begin(buffer_.data()) + length);
    buffer_.consume(length);
    return head + body;
  }

  // Everything until the server closes (or the read timeout).
  std::string until_eof() {
    std::error_code ec;
    asio::read(socket_, buffer_, asio::transfer_all(), ec);
    std::string all(asio::buffers_begin(buffer_.data()), asio::buffers_end(buffer_.data()));
    buffer_.consume(buffer_.size());
    return all;
  }

  void close() { socket_.close(); }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  asio::streambuf buffer_;
};

// Waits until the server counts `n` open connections (the accept is asynchronous).
inline void wait_connections(TestServer& server, std::size_t n) {
  for (int i = 0; i < 500 && server.server().stats().connections != n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(server.server().stats().connections == n);
}

}  // namespace eudiplo_sse::test
