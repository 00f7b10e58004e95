#include "eudiplo_sse/blocking_sse_writer.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "catch.hpp"

using namespace eudiplo_sse;
using Step = BlockingSseWriter::Step;

namespace {

struct Sink {
  std::string out;
  bool alive = true;
  bool fail_writes = false;
  std::function<bool(const char*, std::size_t)> write = [this](const char* d, std::size_t n) {
    if (n == 0) out += "<EMPTY>";
    out.append(d, n);
    return !fail_writes;
  };
  std::function<bool()> is_there = [this] { return alive; };
};

BlockingSseWriterOptions fast(std::size_t high_water = 64 * 1024) {
  BlockingSseWriterOptions o;
  o.high_water = high_water;
  o.liveness_interval = std::chrono::milliseconds(10);
  return o;
}

}  // namespace

TEST_CASE("BlockingSseWriter: bytes out in order, then finished after close()", "[blocking]") {
  BlockingSseWriter w(fast());
  Sink sink;
  CHECK(w.write(make_shared_bytes("a")) == WriteResult::accepted);
  CHECK(w.write(make_shared_bytes("")) == WriteResult::accepted);  // never an empty write
  CHECK(w.write(make_shared_bytes("b")) == WriteResult::accepted);
  CHECK(w.pump(sink.write, sink.is_there) == Step::more);
  CHECK(sink.out == "ab");
  w.close();
  CHECK(w.write(make_shared_bytes("late")) == WriteResult::closed);
  CHECK(w.pump(sink.write, sink.is_there) == Step::finished);
  CHECK(sink.out == "ab");
}

TEST_CASE("BlockingSseWriter: full, then on_writable from pump(), not from write()", "[blocking]") {
  BlockingSseWriter w(fast(4));
  Sink sink;
  std::atomic<int> writable{0};
  w.on_writable([&] { ++writable; });
  CHECK(w.write(make_shared_bytes("12345")) == WriteResult::full);
  CHECK(writable == 0);
  CHECK(w.pump(sink.write, sink.is_there) == Step::more);
  CHECK(writable == 1);
}

TEST_CASE("BlockingSseWriter: a departed client is noticed between events", "[blocking]") {
  BlockingSseWriter w(fast());
  Sink sink;
  CHECK(w.pump(sink.write, sink.is_there) == Step::more);  // idle, client there
  sink.alive = false;
  CHECK(w.pump(sink.write, sink.is_there) == Step::gone);

  BlockingSseWriter failing(fast());
  sink.fail_writes = true;
  failing.write(make_shared_bytes("x"));
  CHECK(failing.pump(sink.write, sink.is_there) == Step::gone);
}

TEST_CASE("BlockingSseWriter: on_closed runs once in ended(), or later if registered late",
          "[blocking]") {
  BlockingSseWriter w(fast());
  int closed = 0;
  w.on_closed([&] { ++closed; });
  w.ended();
  w.ended();
  CHECK(closed == 1);
  CHECK(w.write(make_shared_bytes("x")) == WriteResult::closed);

  std::promise<std::thread::id> late;
  auto late_done = late.get_future();
  w.on_closed([&] { late.set_value(std::this_thread::get_id()); });
  REQUIRE(late_done.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(late_done.get() != std::this_thread::get_id());  // not inside on_closed()
}

TEST_CASE("BlockingSseWriter: ended() wakes a pump() that waits", "[blocking]") {
  BlockingSseWriterOptions o;
  o.liveness_interval = std::chrono::seconds(30);
  BlockingSseWriter w(o);
  Sink sink;
  auto step = std::async(std::launch::async, [&] { return w.pump(sink.write, sink.is_there); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  w.ended();
  REQUIRE(step.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(step.get() == Step::gone);
}

TEST_CASE("BlockingSseWriter: many queued events leave in order over several pumps", "[blocking]") {
  BlockingSseWriter w(fast());
  Sink sink;
  std::string expected;
  for (int i = 0; i < 40; ++i) {
    const std::string event = "id: " + std::to_string(i) + "\n\n";
    expected += event;
    REQUIRE(w.write(make_shared_bytes(event)) == WriteResult::accepted);
  }
  w.close();
  Step step = Step::more;
  for (int i = 0; i < 100 && step == Step::more; ++i) step = w.pump(sink.write, sink.is_there);
  CHECK(step == Step::finished);
  CHECK(sink.out == expected);
}

TEST_CASE("BlockingSseWriter: ended() on another thread while pump() writes", "[blocking]") {
  // The bytes pump() is writing must outlive an ended() that runs meanwhile (under
  // ASan a freed buffer here is a use-after-free), and pump() then answers gone.
  BlockingSseWriter w(fast());
  const std::string event(4096, 'e');
  REQUIRE(w.write(make_shared_bytes(event)) == WriteResult::accepted);
  std::string out;
  auto write_during_end = [&](const char* data, std::size_t size) {
    std::thread([&] { w.ended(); }).join();
    out.append(data, size);
    return true;
  };
  auto there = [] { return true; };
  CHECK(w.pump(write_during_end, there) == Step::gone);
  CHECK(out == event);
  CHECK(w.write(make_shared_bytes("x")) == WriteResult::closed);
}

namespace {

// A listener that reports its calls to promises (it may be called on another thread).
struct PromisedListener final : SseWriterListener {
  std::atomic<int> writable_calls{0};
  std::atomic<int> closed_calls{0};
  std::promise<std::thread::id> closed_on;
  void writable() override { ++writable_calls; }
  void closed() override {
    if (++closed_calls == 1) closed_on.set_value(std::this_thread::get_id());
  }
};

}  // namespace

TEST_CASE("BlockingSseWriter: listen() hears writable from pump() and closed once in ended()",
          "[blocking]") {
  BlockingSseWriter w(fast(4));
  Sink sink;
  auto listener = std::make_shared<PromisedListener>();
  w.listen(listener);
  CHECK(w.write(make_shared_bytes("12345")) == WriteResult::full);
  CHECK(listener->writable_calls == 0);
  CHECK(w.pump(sink.write, sink.is_there) == Step::more);
  CHECK(listener->writable_calls == 1);
  w.ended();
  w.ended();
  CHECK(listener->closed_calls == 1);
  CHECK(listener.use_count() == 1);  // the writer let go of it

  // Registered after the end: called, on another thread, not inside listen().
  auto late = std::make_shared<PromisedListener>();
  auto closed_on = late->closed_on.get_future();
  w.listen(late);
  REQUIRE(closed_on.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(closed_on.get() != std::this_thread::get_id());
}
