// SseWriterListeners (include/eudiplo_sse/sse_writer_listeners.hpp): the listener
// and the two callbacks a writer notifies, and SseWriter::listen's default.
#include "eudiplo_sse/sse_writer_listeners.hpp"

#include <memory>
#include <stdexcept>

#include "catch.hpp"
#include "fake_sse_writer.hpp"

using eudiplo_sse::SseWriterListener;
using eudiplo_sse::SseWriterListeners;

namespace {

struct Counting final : SseWriterListener {
  int writable_calls = 0;
  int closed_calls = 0;
  void writable() override { ++writable_calls; }
  void closed() override { ++closed_calls; }
};

}  // namespace

TEST_CASE("a listener hears writable as often as due, and closed once", "[writer_listeners]") {
  SseWriterListeners l;
  CHECK_FALSE(l.wants_writable());
  CHECK_FALSE(l.wants_closed());
  auto listener = std::make_shared<Counting>();
  l.listen(listener);
  REQUIRE(l.wants_writable());
  l.writable_call().writable();
  l.writable_call().writable();
  CHECK(listener->writable_calls == 2);

  std::function<void()> writable;
  auto closed = l.take_closed(writable);
  CHECK_FALSE(l.wants_closed());  // let go of
  CHECK_FALSE(l.wants_writable());
  closed.closed();
  CHECK(listener->closed_calls == 1);
  CHECK(listener.use_count() == 2);  // `closed` holds it until dropped
  closed = {};
  CHECK(listener.use_count() == 1);
}

TEST_CASE("a listener that is gone is not called, and no one is due", "[writer_listeners]") {
  SseWriterListeners l;
  auto listener = std::make_shared<Counting>();
  l.listen(listener);
  listener.reset();
  CHECK_FALSE(l.wants_writable());
  CHECK_FALSE(l.wants_closed());
  l.writable_call().writable();  // nothing to call: no crash
}

TEST_CASE("a host's callbacks: writable copied, closed and writable taken once",
          "[writer_listeners]") {
  SseWriterListeners l;
  int writable = 0;
  int closed = 0;
  l.on_writable([&] { ++writable; });
  CHECK(l.wants_writable());
  CHECK_FALSE(l.wants_closed());
  l.on_closed([&] { ++closed; });
  l.writable_call().writable();
  l.writable_call().writable();
  CHECK(writable == 2);

  std::function<void()> writable_out;
  l.take_closed(writable_out).closed();
  CHECK(closed == 1);
  REQUIRE(writable_out);  // handed out to be dropped after the writer's lock
  CHECK_FALSE(l.wants_writable());
  l.take_closed(writable_out).closed();
  CHECK(closed == 1);  // once only
}

TEST_CASE("a throwing callback does not escape a notification", "[writer_listeners]") {
  SseWriterListeners l;
  l.on_writable([] { throw std::runtime_error("host bug"); });
  CHECK_NOTHROW(l.writable_call().writable());
}

TEST_CASE("SseWriter::listen's default registers the two callbacks", "[writer_listeners]") {
  // FakeSseWriter implements only on_writable/on_closed, as a host's writer may.
  auto writer = std::make_shared<eudiplo_sse::test::FakeSseWriter>();
  auto listener = std::make_shared<Counting>();
  writer->listen(listener);
  writer->drain();
  CHECK(listener->writable_calls == 1);
  writer->end();
  CHECK(listener->closed_calls == 1);

  // It holds the listener weakly: a listener gone is not kept alive or called.
  auto other = std::make_shared<eudiplo_sse::test::FakeSseWriter>();
  auto gone = std::make_shared<Counting>();
  other->listen(gone);
  std::weak_ptr<Counting> watch = gone;
  gone.reset();
  CHECK(watch.expired());
  other->end();
}
