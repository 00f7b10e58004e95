// The installed SSE stream writer against the SseWriter contract, over a real
// loopback connection: the bytes on the wire (head, chunks, last chunk),
// back-pressure (`full`, then on_writable), on_closed in each way a response can
// end, and the write timeout. The same source is built twice: on Boost.Asio with
// Beast's tcp_stream (what examples/beast_host uses) and, with
// EUDIPLO_SSE_TEST_STANDALONE_ASIO, on standalone Asio with a plain socket.
// The lifecycle test (lifecycle.test.mjs) covers the writer behind the events
// route; this one drives it directly, with a high-water mark small enough to reach.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include <eudiplo_sse/shared_bytes.hpp>

#ifdef EUDIPLO_SSE_TEST_STANDALONE_ASIO
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/strand.hpp>
#include <eudiplo_sse/asio/sse_stream_writer.hpp>
namespace net = ::asio;
// Every member compiles for a TLS stream too (the writer closes its lowest layer).
template class eudiplo_sse::BasicSseStreamWriter<eudiplo_sse::standalone_asio::Net,
                                                 net::ssl::stream<net::ip::tcp::socket>>;
using error_code = std::error_code;
using Stream = net::ip::tcp::socket;
using Writer = eudiplo_sse::standalone_asio::SseStreamWriter<Stream>;
Stream make_stream(net::ip::tcp::socket socket) { return socket; }
#else
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <eudiplo_sse/boost_asio/sse_stream_writer.hpp>
namespace net = boost::asio;
// Every member compiles for a TLS stream over Beast's tcp_stream too.
template class eudiplo_sse::BasicSseStreamWriter<eudiplo_sse::boost_asio::Net,
                                                 net::ssl::stream<boost::beast::tcp_stream>>;
using error_code = boost::system::error_code;
using Stream = boost::beast::tcp_stream;
using Writer = eudiplo_sse::boost_asio::SseStreamWriter<Stream>;
Stream make_stream(net::ip::tcp::socket socket) {
  Stream stream(std::move(socket));
  // A deadline the host set for the request must not end the stream.
  stream.expires_after(std::chrono::milliseconds(200));
  return stream;
}
#endif

using eudiplo_sse::make_shared_bytes;
using eudiplo_sse::WriteResult;
using tcp = net::ip::tcp;

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok    " : "FAILED", what);
  if (!ok) ++failures;
}

template <class T>
bool ready(std::future<T>& f) {
  return f.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
}

// A connected pair: the server side accepted on a strand, as the host does.
struct Connection {
  tcp::socket client;
  tcp::socket server;
};

Connection connect(net::io_context& ioc) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket server(net::make_strand(ioc));
  acceptor.accept(server);
  return {std::move(client), std::move(server)};
}

std::shared_ptr<Writer> start_writer(
    tcp::socket server, std::size_t high_water,
    std::chrono::seconds write_timeout = std::chrono::seconds(30)) {
  eudiplo_sse::SseStreamWriterOptions options;
  options.high_water = high_water;
  options.write_timeout = write_timeout;
  return Writer::start(
      make_stream(std::move(server)),
      eudiplo_sse::format_response_head(200, {{"Content-Type", "text/event-stream"}}), options);
}

std::string read_all(tcp::socket& client) {
  std::string out;
  error_code ec;
  net::read(client, net::dynamic_buffer(out), ec);  // until EOF
  return out;
}

void full_then_writable_then_close(net::io_context& ioc) {
  Connection c = connect(ioc);
  auto writer = start_writer(std::move(c.server), 4);

  std::promise<void> writable, closed;
  auto writable_done = writable.get_future();
  auto closed_done = closed.get_future();
  std::atomic<int> writable_calls{0};
  writer->on_writable([&] {
    if (writable_calls++ == 0) writable.set_value();
  });
  writer->on_closed([&] { closed.set_value(); });

  expect(writer->write(make_shared_bytes("id: 1\n")) == WriteResult::full,
         "past the high-water mark, write() answers full");
  expect(ready(writable_done), "on_writable fires once the bytes are out");
  expect(writer->write(make_shared_bytes("ab")) == WriteResult::accepted,
         "below the mark, write() answers accepted");
  writer->close();
  expect(writer->write(make_shared_bytes("late")) == WriteResult::closed,
         "after close(), write() answers closed");
  expect(ready(closed_done), "on_closed fires when close() has completed");

  const std::string wire = read_all(c.client);
  const auto body_at = wire.find("\r\n\r\n");
  const std::string head = wire.substr(0, body_at + 4);
  const std::string body = wire.substr(body_at + 4);
  expect(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0, "the head carries the route's status");
  expect(head.find("Content-Type: text/event-stream\r\n") != std::string::npos,
         "the head carries the route's headers");
  expect(head.find("Transfer-Encoding: chunked\r\n") != std::string::npos, "the body is chunked");
  expect(body == "6\r\nid: 1\n\r\n2\r\nab\r\n0\r\n\r\n",
         "each write is a chunk, in order, and the response ends with the last chunk");

  std::promise<void> late;
  auto late_done = late.get_future();
  writer->on_closed([&] { late.set_value(); });
  expect(ready(late_done), "on_closed registered after the end still fires");
}

void client_leaves(net::io_context& ioc) {
  Connection c = connect(ioc);
  auto writer = start_writer(std::move(c.server), 64 * 1024);
  std::promise<void> closed;
  auto closed_done = closed.get_future();
  writer->on_closed([&] { closed.set_value(); });
  expect(writer->write(make_shared_bytes("retry: 3000\n\n")) == WriteResult::accepted,
         "a first write is accepted");
  c.client.close();
  expect(ready(closed_done), "a client that goes away ends the response: on_closed fires");
  // The writer notices asynchronously; once it has, writes are refused.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = writer->write(make_shared_bytes(": keep-alive\n\n")) == WriteResult::closed;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  expect(refused, "after the client left, write() answers closed");
}

void outlives_the_host_deadline(net::io_context& ioc) {
  Connection c = connect(ioc);
  auto writer = start_writer(std::move(c.server), 64 * 1024);
  // Past the 200 ms request deadline make_stream() left on a Beast stream.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  expect(writer->write(make_shared_bytes("data: late\n\n")) == WriteResult::accepted,
         "the stream is still open after the host's request deadline");
  writer->close();
  const std::string wire = read_all(c.client);
  expect(wire.find("c\r\ndata: late\n\n\r\n0\r\n\r\n") != std::string::npos,
         "bytes written after the host's deadline reach the client");
}

void reader_stalls(net::io_context& ioc) {
  Connection c = connect(ioc);
  c.client.set_option(net::socket_base::receive_buffer_size(4096));
  c.server.set_option(net::socket_base::send_buffer_size(4096));
  auto writer = start_writer(std::move(c.server), 1024 * 1024, std::chrono::seconds(1));
  std::promise<void> closed;
  auto closed_done = closed.get_future();
  writer->on_closed([&] { closed.set_value(); });
  // The client never reads: the socket buffers fill, a write stalls, and the
  // writer drops the connection after write_timeout rather than wait forever.
  const std::string block(64 * 1024, 'x');
  for (int i = 0; i < 64; ++i) {
    if (writer->write(make_shared_bytes(block)) == WriteResult::closed) break;
  }
  expect(ready(closed_done), "a client that stops reading is dropped after write_timeout");
  expect(writer->write(make_shared_bytes("more")) == WriteResult::closed,
         "after the drop, write() answers closed");
  expect(writer->queued_bytes() == 0, "a dropped connection holds no queued bytes");
}

// What the library's streams register: one listener (SseWriter::listen), held weakly.
struct PromisedListener final : eudiplo_sse::SseWriterListener {
  std::atomic<int> writable_calls{0};
  std::promise<void> first_writable;
  std::promise<void> closed_once;
  std::atomic<int> closed_calls{0};
  void writable() override {
    if (writable_calls++ == 0) first_writable.set_value();
  }
  void closed() override {
    if (closed_calls++ == 0) closed_once.set_value();
  }
};

void listener_hears_writable_and_the_end(net::io_context& ioc) {
  Connection c = connect(ioc);
  auto writer = start_writer(std::move(c.server), 4);
  auto listener = std::make_shared<PromisedListener>();
  auto writable_done = listener->first_writable.get_future();
  auto closed_done = listener->closed_once.get_future();
  writer->listen(listener);
  expect(writer->write(make_shared_bytes("id: 1\n")) == WriteResult::full,
         "listen(): past the high-water mark, write() answers full");
  expect(ready(writable_done), "listen(): the listener hears writable once the bytes are out");
  c.client.close();
  expect(ready(closed_done), "listen(): the listener hears the end when the client leaves");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  expect(listener->closed_calls == 1, "listen(): closed is heard once");
  expect(listener.use_count() == 1, "listen(): the writer let go of the listener");

  auto late = std::make_shared<PromisedListener>();
  auto late_done = late->closed_once.get_future();
  writer->listen(late);
  expect(ready(late_done), "listen() after the end still hears closed");
}

}  // namespace

int main() {
  net::io_context ioc;
  auto guard = net::make_work_guard(ioc);
  std::thread a([&] { ioc.run(); });
  std::thread b([&] { ioc.run(); });

  full_then_writable_then_close(ioc);
  client_leaves(ioc);
  outlives_the_host_deadline(ioc);
  reader_stalls(ioc);
  listener_hears_writable_and_the_end(ioc);

  guard.reset();
  ioc.stop();
  a.join();
  b.join();
  return failures == 0 ? 0 : 1;
}
