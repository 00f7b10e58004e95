// The server over real loopback sockets: keep-alive, streaming through the
// SseWriter (direct writes, back-pressure, close, client leaving), timeouts, stop.
#include "eudiplo_sse/asio/http_server.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "catch.hpp"
#include "loopback_server.hpp"

using namespace eudiplo_sse;
using namespace std::chrono_literals;
using eudiplo_sse::test::Client;
using eudiplo_sse::test::TestServer;
using eudiplo_sse::test::wait_connections;

namespace {

thread_local bool inside_writer_call = false;

// What a streaming handler hands over to the test.
struct StreamSlot {
  std::mutex mutex;
  std::condition_variable cv;
  std::shared_ptr<SseWriter> writer;
  std::atomic<int> closed_calls{0};
  std::atomic<int> writable_calls{0};
  std::atomic<int> callbacks_inside_writer_calls{0};

  http::RequestHandler handler() {
    return [this](http::HttpExchange& ex) {
      auto w = ex.respond_stream(200, {{"Content-Type", "text/event-stream"}});
      w->on_closed([this] {
        if (inside_writer_call) ++callbacks_inside_writer_calls;
        ++closed_calls;
        cv.notify_all();
      });
      w->on_writable([this] {
        if (inside_writer_call) ++callbacks_inside_writer_calls;
        ++writable_calls;
        cv.notify_all();
      });
      inside_writer_call = true;
      w->write(make_shared_bytes("retry: 1000\n\n"));
      inside_writer_call = false;
      std::lock_guard<std::mutex> lock(mutex);
      writer = std::move(w);
      cv.notify_all();
    };
  }

  std::shared_ptr<SseWriter> wait_writer() {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(cv.wait_for(lock, 5s, [this] { return writer != nullptr; }));
    return writer;
  }

  template <typename Pred>
  bool wait(Pred pred) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, 5s, pred);
  }

  WriteResult write(const std::string& s) {
    inside_writer_call = true;
    const auto r = wait_writer()->write(make_shared_bytes(s));
    inside_writer_call = false;
    return r;
  }

  void close() {
    inside_writer_call = true;
    wait_writer()->close();
    inside_writer_call = false;
  }
};

// Drops the test's reference to the stream's writer at the end of a test.
struct WriterRelease {
  StreamSlot& slot;
  ~WriterRelease() {
    std::lock_guard<std::mutex> lock(slot.mutex);
    slot.writer.reset();
  }
};

}  // namespace

TEST_CASE("keep-alive: several requests on one connection, each answered in order", "[server]") {
  std::atomic<int> served{0};
  TestServer server([&](http::HttpExchange& ex) {
    ++served;
    ex.respond(http::HttpResponse::json(200, "{\"path\":\"" + ex.request().target + "\"}"));
  });
  Client c(server.port());
  c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.response().find("{\"path\":\"/a\"}") != std::string::npos);
  c.send(
      "GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto b = c.response();
  const auto rest = c.until_eof();
  CHECK(b.find("/b") != std::string::npos);
  CHECK(rest.find("/c") != std::string::npos);
  CHECK(rest.find("Connection: close") != std::string::npos);
  CHECK(served == 3);
}

TEST_CASE("a parse error is answered and the connection closed", "[server]") {
  TestServer server(
      [](http::HttpExchange& ex) { ex.respond(http::HttpResponse::json(200, "{}")); });
  Client c(server.port());
  c.send("BROKEN\r\n\r\n");
  const auto text = c.until_eof();
  CHECK(text.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  CHECK(text.find("Connection: close") != std::string::npos);
  // Others are still served.
  Client d(server.port());
  d.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(d.response().rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("a stream is the head then raw body bytes, ending at close()", "[server]") {
  StreamSlot slot;
  TestServer server(slot.handler());
  // Declared after the server, so destroyed first: a writer (and the
  // connection it keeps alive) must not outlive the io_context.
  const WriterRelease release_writer{slot};
  Client c(server.port());
  c.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  slot.wait_writer();
  CHECK(slot.write("id: 1\ndata: a\n\n") == WriteResult::accepted);
  std::thread other([&] { CHECK(slot.write("id: 2\ndata: b\n\n") == WriteResult::accepted); });
  other.join();
  slot.close();
  CHECK(slot.write("late") == WriteResult::closed);
  const auto text = c.until_eof();
  const auto body_at = text.find("\r\n\r\n");
  REQUIRE(body_at != std::string::npos);
  const auto head = text.substr(0, body_at);
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(head.find("Transfer-Encoding") == std::string::npos);
  CHECK(head.find("Connection: close") != std::string::npos);
  CHECK(text.substr(body_at + 4) == "retry: 1000\n\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n");
  REQUIRE(slot.wait([&] { return slot.closed_calls.load() == 1; }));
  CHECK(slot.callbacks_inside_writer_calls == 0);
}

TEST_CASE("a client that leaves fires on_closed once, and the connection is released", "[server]") {
  StreamSlot slot;
  TestServer server(slot.handler());
  // Declared after the server, so destroyed first: a writer (and the
  // connection it keeps alive) must not outlive the io_context.
  const WriterRelease release_writer{slot};
  {
    Client c(server.port());
    c.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    slot.wait_writer();
    REQUIRE(server.server().stats().streams == 1);
    c.close();
  }
  REQUIRE(slot.wait([&] { return slot.closed_calls.load() == 1; }));
  CHECK(slot.write("after") == WriteResult::closed);
  {
    // The writer is the connection: dropping the last reference frees it.
    std::lock_guard<std::mutex> lock(slot.mutex);
    slot.writer.reset();
  }
  for (int i = 0; i < 500 && server.server().stats().connections != 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(server.server().stats().connections == 0);
  CHECK(server.server().stats().streams == 0);
  CHECK(slot.closed_calls == 1);
}

TEST_CASE("a client that does not read makes write() answer full, then on_writable", "[server]") {
  StreamSlot slot;
  http::HttpServerOptions options;
  options.stream_high_water = 4096;
  TestServer server(slot.handler(), options);
  // Declared after the server, so destroyed first: a writer (and the
  // connection it keeps alive) must not outlive the io_context.
  const WriterRelease release_writer{slot};
  Client c(server.port(), 4096);
  c.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  slot.wait_writer();
  const std::string chunk(16 * 1024, 'x');
  std::size_t accepted = 0;
  WriteResult r = WriteResult::accepted;
  // Kernel buffers absorb a few megabytes at most before the queue grows.
  for (int i = 0; i < 4096 && r == WriteResult::accepted; ++i) {
    r = slot.write(chunk);
    if (r != WriteResult::closed) accepted += chunk.size();
  }
  REQUIRE(r == WriteResult::full);
  CHECK(slot.writable_calls == 0);
  slot.close();  // flushes everything accepted, then ends
  const auto text = c.until_eof();
  const auto body = text.substr(text.find("\r\n\r\n") + 4);
  CHECK(body.size() == std::string("retry: 1000\n\n").size() + accepted);
  REQUIRE(slot.wait([&] { return slot.closed_calls.load() == 1; }));
  CHECK(slot.callbacks_inside_writer_calls == 0);
}

TEST_CASE("on_writable fires once a full queue has drained", "[server]") {
  StreamSlot slot;
  http::HttpServerOptions options;
  options.stream_high_water = 4096;
  TestServer server(slot.handler(), options);
  // Declared after the server, so destroyed first: a writer (and the
  // connection it keeps alive) must not outlive the io_context.
  const WriterRelease release_writer{slot};
  Client c(server.port(), 4096);
  c.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  slot.wait_writer();
  const std::string chunk(16 * 1024, 'y');
  WriteResult r = WriteResult::accepted;
  for (int i = 0; i < 4096 && r == WriteResult::accepted; ++i) r = slot.write(chunk);
  REQUIRE(r == WriteResult::full);
  std::thread reader([&] { c.until_eof(); });
  REQUIRE(slot.wait([&] { return slot.writable_calls.load() >= 1; }));
  slot.close();
  reader.join();
  CHECK(slot.callbacks_inside_writer_calls == 0);
}

TEST_CASE("on_closed registered after the end still fires", "[server]") {
  StreamSlot slot;
  TestServer server(slot.handler());
  // Declared after the server, so destroyed first: a writer (and the
  // connection it keeps alive) must not outlive the io_context.
  const WriterRelease release_writer{slot};
  Client c(server.port());
  c.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  auto writer = slot.wait_writer();
  slot.close();
  c.until_eof();
  REQUIRE(slot.wait([&] { return slot.closed_calls.load() == 1; }));
  std::atomic<int> late{0};
  writer->on_closed([&] { ++late; });
  for (int i = 0; i < 500 && late == 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(late == 1);
}

http::RequestHandler answer_ok() {
  return [](http::HttpExchange& ex) { ex.respond(http::HttpResponse::json(200, "{}")); };
}

TEST_CASE("header-read timeout: a started request that does not finish gets 408", "[server]") {
  http::HttpServerOptions options;
  options.request_timeout = 0s;
  TestServer server(answer_ok(), options);
  Client c(server.port());
  c.send("GET / HTTP/1.1\r\n");  // never finished
  wait_connections(server, 1);
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  const auto text = c.until_eof();
  CHECK(text.rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(server.server().stats().request_timeouts == 1);
  CHECK(server.server().stats().idle_timeouts == 0);
}

TEST_CASE("header-read timeout: a connection that never sends is closed silently", "[server]") {
  http::HttpServerOptions options;
  options.request_timeout = 0s;
  TestServer server(answer_ok(), options);
  Client c(server.port());
  wait_connections(server, 1);
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  CHECK(c.until_eof().empty());
  CHECK(server.server().stats().request_timeouts == 1);
}

TEST_CASE("idle timeout closes a keep-alive connection between requests only", "[server]") {
  http::HttpServerOptions options;
  options.idle_timeout = 0s;  // the header-read timeout stays 30 s
  TestServer server(answer_ok(), options);
  Client c(server.port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.response().rfind("HTTP/1.1 200 ", 0) == 0);
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  CHECK(c.until_eof().empty());
  CHECK(server.server().stats().idle_timeouts == 1);
  CHECK(server.server().stats().request_timeouts == 0);

  // A request that has started is under the header-read timeout, not the idle one.
  Client d(server.port());
  d.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n");
  CHECK(d.response().rfind("HTTP/1.1 200 ", 0) == 0);
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  d.send("Host: x\r\n\r\n");
  CHECK(d.response().rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(server.server().stats().idle_timeouts == 1);
}

TEST_CASE("write-stall timeout closes a stream whose client stopped reading", "[server]") {
  StreamSlot slot;
  http::HttpServerOptions options;
  options.stream_high_water = 4096;
  options.write_stall_timeout = 0s;
  TestServer server(slot.handler(), options);
  const WriterRelease release_writer{slot};
  Client c(server.port(), 4096);
  c.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  slot.wait_writer();
  // The kernel's send and receive buffers (autotuned to several MiB on loopback)
  // take bytes while the client reads nothing. Write a MiB at a time until, after
  // the I/O thread has had time to hand the kernel what it takes, the queue is
  // still past its high-water mark: then the write in flight is stalled for real.
  const std::string chunk(16 * 1024, 'z');
  bool stalled = false;
  for (int round = 0; round < 64 && !stalled; ++round) {
    for (int i = 0; i < 64; ++i) REQUIRE(slot.write(chunk) != WriteResult::closed);
    std::this_thread::sleep_for(20ms);
    stalled = slot.write(chunk) == WriteResult::full;
  }
  REQUIRE(stalled);
  CHECK(slot.closed_calls == 0);
  server.server().sweep();
  REQUIRE(slot.wait([&] { return slot.closed_calls.load() == 1; }));
  CHECK(server.server().stats().write_stalls == 1);
  CHECK(slot.write("more") == WriteResult::closed);
}

TEST_CASE("write-stall timeout closes a response whose client stopped reading", "[server]") {
  http::HttpServerOptions options;
  options.write_stall_timeout = 0s;
  const std::string big(32 * 1024 * 1024, 'b');
  TestServer server(
      [&big](http::HttpExchange& ex) { ex.respond(http::HttpResponse::json(200, big)); }, options);
  Client c(server.port(), 4096);
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  // The kernel buffers fill; the rest of the body waits on the client.
  for (int i = 0; i < 500 && server.server().stats().write_stalls == 0; ++i) {
    std::this_thread::sleep_for(10ms);
    server.server().sweep();
  }
  CHECK(server.server().stats().write_stalls == 1);
  wait_connections(server, 0);
}

TEST_CASE("stop() ends idle connections and leaves streams to their owner", "[server]") {
  StreamSlot slot;
  TestServer server(slot.handler());
  // Declared after the server, so destroyed first: a writer (and the
  // connection it keeps alive) must not outlive the io_context.
  const WriterRelease release_writer{slot};
  Client idle(server.port());
  Client streaming(server.port());
  streaming.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  slot.wait_writer();
  for (int i = 0; i < 100 && server.server().stats().connections < 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  server.server().stop();
  CHECK(idle.until_eof().empty());
  CHECK(slot.write("still open\n") == WriteResult::accepted);
  slot.close();
  const auto text = streaming.until_eof();
  CHECK(text.find("still open\n") != std::string::npos);
}

TEST_CASE("HEAD gets the head only, for responses and streams alike", "[server]") {
  TestServer server([](http::HttpExchange& ex) {
    if (ex.request().target == "/stream") {
      auto w = ex.respond_stream(200, {{"Content-Type", "text/event-stream"}});
      CHECK(w->write(make_shared_bytes("data: x\n\n")) == WriteResult::closed);
      return;
    }
    ex.respond(http::HttpResponse::json(200, "{\"a\":1}"));
  });
  Client c(server.port());
  c.send("HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto plain = c.response(true);
  CHECK(plain.find("Content-Length: 7") != std::string::npos);
  CHECK(plain.substr(plain.size() - 4) == "\r\n\r\n");
  c.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto stream = c.until_eof();
  CHECK(stream.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(stream.substr(stream.size() - 4) == "\r\n\r\n");
  CHECK(stream.find("data:") == std::string::npos);
}

TEST_CASE("connections beyond the per-address cap get 503 with Retry-After", "[server][caps]") {
  http::HttpServerOptions options;
  options.max_connections_per_address = 2;
  options.refused_retry_after = 7s;
  TestServer server(answer_ok(), options);
  Client a(server.port());
  Client b(server.port());
  wait_connections(server, 2);
  Client refused(server.port());
  const auto text = refused.until_eof();
  CHECK(text.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(text.find("Retry-After: 7\r\n") != std::string::npos);
  CHECK(server.server().stats().connections_refused == 1);
  // The admitted ones are served; a slot given back admits the next client.
  a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(a.response().rfind("HTTP/1.1 200 ", 0) == 0);
  b.close();
  wait_connections(server, 1);
  Client c(server.port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.response().rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(server.server().stats().connections_refused == 1);
}

TEST_CASE("connections beyond the total cap get 503, even with a request sent", "[server][caps]") {
  http::HttpServerOptions options;
  options.max_connections = 1;
  TestServer server(answer_ok(), options);
  Client a(server.port());
  wait_connections(server, 1);
  Client refused(server.port());
  refused.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(refused.until_eof().rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(server.server().stats().connections_refused == 1);
  CHECK(server.server().stats().connections == 1);
}
