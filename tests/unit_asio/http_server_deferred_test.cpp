// Deferred answers (HttpExchange::defer()) over real loopback sockets: answered
// later from another thread while the I/O thread serves others, pipelined
// requests kept in order, a client that leaves before its answer, and the time
// limits while an answer is due.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/asio/http_server.hpp"
#include "loopback_server.hpp"

using namespace eudiplo_sse;
using namespace std::chrono_literals;
using eudiplo_sse::test::Client;
using eudiplo_sse::test::TestServer;
using eudiplo_sse::test::wait_connections;

namespace {

// A handler that defers every request whose target starts with "/slow" (and
// answers the others at once), and hands the deferred answers to the test, which
// gives them from its own thread: not one of the server's.
class Deferrals {
 public:
  http::RequestHandler handler() {
    return [this](http::HttpExchange& ex) {
      const std::string target = ex.request().target;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        calls_.push_back(target);
      }
      if (target.rfind("/slow", 0) != 0) {
        ex.respond(http::HttpResponse::json(200, "{\"path\":\"" + target + "\"}"));
        return;
      }
      auto deferred = ex.defer();
      // Checked by the test's thread (Catch's assertions are not for other threads).
      const bool as_documented = deferred && ex.responded() && !ex.defer();
      std::lock_guard<std::mutex> lock(mutex_);
      if (!as_documented) ++misbehaved_;
      pending_[target] = std::move(deferred);
      cv_.notify_all();
    };
  }

  // The deferred answer of `target`, once its handler has run (and returned).
  std::shared_ptr<http::DeferredResponse> take(const std::string& target) {
    std::unique_lock<std::mutex> lock(mutex_);
    REQUIRE(cv_.wait_for(lock, 10s, [&] { return pending_.count(target) != 0; }));
    auto deferred = std::move(pending_[target]);
    pending_.erase(target);
    REQUIRE(deferred);
    CHECK(misbehaved_ == 0);
    return deferred;
  }

  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<http::DeferredResponse>> pending_;
  std::vector<std::string> calls_;
  int misbehaved_ = 0;
};

http::HttpResponse body_response(const std::string& body) {
  return http::HttpResponse::json(200, "{\"answer\":\"" + body + "\"}");
}

template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

}  // namespace

TEST_CASE("a deferred answer holds no I/O thread: others are served meanwhile", "[deferred]") {
  Deferrals deferrals;
  TestServer server(deferrals.handler(), {}, 1);  // one I/O thread
  Client a(server.port());
  a.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  auto deferred = deferrals.take("/slow");

  // The only I/O thread is free: another connection is answered at once.
  Client b(server.port());
  b.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(b.response().find("{\"path\":\"/fast\"}") != std::string::npos);

  // Answered from this thread, after a while; the connection then goes on.
  std::this_thread::sleep_for(100ms);
  deferred->respond(body_response("late"));
  const auto text = a.response();
  CHECK(text.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(text.find("{\"answer\":\"late\"}") != std::string::npos);
  deferred->respond(body_response("twice"));  // ignored
  a.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(a.response().find("{\"path\":\"/next\"}") != std::string::npos);
}

TEST_CASE("pipelined requests wait for a deferred answer and stay in order", "[deferred]") {
  Deferrals deferrals;
  TestServer server(deferrals.handler());
  Client c(server.port());
  c.send(
      "GET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /fast/2 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /slow/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto first = deferrals.take("/slow/1");
  // Give a wrong implementation time to run the next handler: none may run yet.
  std::this_thread::sleep_for(50ms);
  CHECK(deferrals.calls() == std::vector<std::string>{"/slow/1"});

  std::thread answer([&] { first->respond(body_response("one")); });
  answer.join();
  CHECK(c.response().find("{\"answer\":\"one\"}") != std::string::npos);
  CHECK(c.response().find("{\"path\":\"/fast/2\"}") != std::string::npos);
  auto third = deferrals.take("/slow/3");
  third->respond(body_response("three"));
  const auto last = c.until_eof();
  CHECK(last.find("Connection: close") != std::string::npos);
  CHECK(last.find("{\"answer\":\"three\"}") != std::string::npos);
  CHECK(deferrals.calls() == std::vector<std::string>{"/slow/1", "/fast/2", "/slow/3"});
}

TEST_CASE("a deferred stream start sends the head, then the stream", "[deferred]") {
  Deferrals deferrals;
  TestServer server(deferrals.handler());
  Client c(server.port());
  c.send("GET /slow/events HTTP/1.1\r\nHost: x\r\n\r\n");
  auto deferred = deferrals.take("/slow/events");
  std::shared_ptr<SseWriter> writer;
  WriteResult written = WriteResult::closed;
  std::thread answer([&] {
    writer = deferred->respond_stream(200, {{"Content-Type", "text/event-stream"}});
    if (!writer) return;
    written = writer->write(make_shared_bytes("retry: 1000\n\n"));
    writer->close();
  });
  answer.join();
  REQUIRE(writer);
  CHECK(written == WriteResult::accepted);
  CHECK_FALSE(deferred->respond_stream(200, {}));  // answered already
  const auto text = c.until_eof();
  CHECK(text.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(text.find("Content-Type: text/event-stream\r\n") != std::string::npos);
  CHECK(text.substr(text.find("\r\n\r\n") + 4) == "retry: 1000\n\n");
}

TEST_CASE("a client that leaves before its deferred answer: dropped, nothing kept", "[deferred]") {
  std::atomic<int> logged{0};
  http::HttpServerOptions options;
  options.access_log = [&](const http::AccessLogEntry&) { ++logged; };
  Deferrals deferrals;
  TestServer server(deferrals.handler(), options);
  std::shared_ptr<http::DeferredResponse> deferred;
  {
    Client c(server.port());
    c.send("GET /slow/events HTTP/1.1\r\nHost: x\r\n\r\n");
    deferred = deferrals.take("/slow/events");
    c.close();
  }
  // Noticed while the answer is due, not when it is written.
  REQUIRE(eventually([&] { return server.server().stats().abandoned_requests == 1; }));

  // The late stream start gets a writer that is already closed.
  std::atomic<int> closed_calls{0};
  auto writer = deferred->respond_stream(200, {{"Content-Type", "text/event-stream"}});
  REQUIRE(writer);
  writer->on_closed([&] { ++closed_calls; });
  CHECK(writer->write(make_shared_bytes("data: x\n\n")) == WriteResult::closed);
  REQUIRE(eventually([&] { return closed_calls.load() == 1; }));
  CHECK(server.server().stats().streams == 0);
  CHECK(logged == 0);  // nothing was answered

  // The connection goes with the last reference to it.
  writer.reset();
  deferred.reset();
  wait_connections(server, 0);
  CHECK(closed_calls == 1);
}

TEST_CASE("a plain answer after the client left is dropped", "[deferred]") {
  std::atomic<int> logged{0};
  http::HttpServerOptions options;
  options.access_log = [&](const http::AccessLogEntry&) { ++logged; };
  Deferrals deferrals;
  TestServer server(deferrals.handler(), options);
  {
    Client c(server.port());
    c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    auto deferred = deferrals.take("/slow");
    c.close();
    REQUIRE(eventually([&] { return server.server().stats().abandoned_requests == 1; }));
    deferred->respond(body_response("nobody listens"));
  }
  wait_connections(server, 0);
  CHECK(logged == 0);
}

TEST_CASE("response deadline: a deferred answer that does not come is a 503", "[deferred]") {
  http::HttpServerOptions options;
  options.response_timeout = 0s;
  options.refused_retry_after = 3s;
  Deferrals deferrals;
  TestServer server(deferrals.handler(), options);
  Client c(server.port());
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  auto deferred = deferrals.take("/slow");
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  const auto text = c.until_eof();
  CHECK(text.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(text.find("Retry-After: 3\r\n") != std::string::npos);
  CHECK(text.find("Connection: close\r\n") != std::string::npos);
  CHECK(server.server().stats().response_timeouts == 1);
  deferred->respond(body_response("too late"));  // dropped
  deferred.reset();
  wait_connections(server, 0);
}

TEST_CASE("header and idle deadlines do not cut a deferred answer short", "[deferred]") {
  http::HttpServerOptions options;
  options.request_timeout = 0s;
  options.idle_timeout = 0s;
  Deferrals deferrals;
  TestServer server(deferrals.handler(), options);
  Client c(server.port());
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  auto deferred = deferrals.take("/slow");
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  deferred->respond(body_response("kept"));
  CHECK(c.response().find("{\"answer\":\"kept\"}") != std::string::npos);
  CHECK(server.server().stats().request_timeouts == 0);
  CHECK(server.server().stats().idle_timeouts == 0);
  // Once answered, the connection is idle and under the idle deadline again.
  std::this_thread::sleep_for(20ms);
  server.server().sweep();
  CHECK(c.until_eof().empty());
  CHECK(server.server().stats().idle_timeouts == 1);
}

TEST_CASE("write-stall deadline applies to a deferred response", "[deferred]") {
  http::HttpServerOptions options;
  options.write_stall_timeout = 0s;
  Deferrals deferrals;
  TestServer server(deferrals.handler(), options);
  Client c(server.port(), 4096);
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  auto deferred = deferrals.take("/slow");
  deferred->respond(http::HttpResponse::json(200, std::string(32 * 1024 * 1024, 'b')));
  deferred.reset();
  for (int i = 0; i < 500 && server.server().stats().write_stalls == 0; ++i) {
    std::this_thread::sleep_for(10ms);
    server.server().sweep();
  }
  CHECK(server.server().stats().write_stalls == 1);
  wait_connections(server, 0);
}

TEST_CASE("a deferred answer dropped unanswered is a 500; one given inline is a plain answer",
          "[deferred]") {
  TestServer server([](http::HttpExchange& ex) {
    auto deferred = ex.defer();
    if (ex.request().target == "/inline") deferred->respond(body_response("inline"));
    // Otherwise dropped here, unanswered.
  });
  Client c(server.port());
  c.send("GET /dropped HTTP/1.1\r\nHost: x\r\n\r\nGET /inline HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.response().rfind("HTTP/1.1 500 ", 0) == 0);
  CHECK(c.response().find("{\"answer\":\"inline\"}") != std::string::npos);
  c.send("HEAD /inline HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto head = c.response(true);
  CHECK(head.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(head.find("answer") == std::string::npos);
}
