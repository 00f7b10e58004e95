#include "eudiplo_sse/sse_write_queue.hpp"

#include <string>
#include <string_view>

#include "catch.hpp"

using namespace eudiplo_sse;

namespace {

constexpr std::size_t no_mark = static_cast<std::size_t>(-1);

std::string views_of(const SseWriteQueue& q, std::size_t max) {
  std::string_view views[8];
  const auto n = q.gather(views, max);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += std::string(views[i]) + "|";
  return out;
}

}  // namespace

TEST_CASE("bytes come out in order, from the offset they were queued at", "[write_queue]") {
  SseWriteQueue q;
  CHECK(q.push(make_shared_bytes("hello"), no_mark, 2) == WriteResult::accepted);
  CHECK(q.push(make_shared_bytes(""), no_mark) == WriteResult::accepted);        // not queued
  CHECK(q.push(make_shared_bytes("abc"), no_mark, 3) == WriteResult::accepted);  // nothing left
  CHECK(q.push(make_shared_bytes("world"), no_mark) == WriteResult::accepted);
  CHECK(q.size() == 8);
  CHECK(views_of(q, 8) == "llo|world|");
  CHECK(views_of(q, 1) == "llo|");
  q.consume(4, no_mark);  // "llo" and "w"
  CHECK(q.size() == 4);
  CHECK(views_of(q, 8) == "orld|");
  q.consume(4, no_mark);
  CHECK(q.empty());
  CHECK(views_of(q, 8).empty());
}

TEST_CASE("the queue shares the bytes instead of copying them", "[write_queue]") {
  auto bytes = make_shared_bytes("shared");
  SseWriteQueue q;
  q.push(bytes, no_mark);
  CHECK(bytes.use_count() == 2);
  std::string_view v;
  q.gather(&v, 1);
  CHECK(v.data() == bytes->data());
  // Views stay valid while more is pushed (the vector of buffers may move).
  for (int i = 0; i < 100; ++i) q.push(make_shared_bytes("more"), no_mark);
  CHECK(v.data() == bytes->data());
  q.consume(6, no_mark);
  CHECK(bytes.use_count() == 1);
}

TEST_CASE("an idle queue holds no storage: allocated on push, freed when drained",
          "[write_queue]") {
  SseWriteQueue q;
  CHECK_FALSE(q.holds_storage());
  q.push(make_shared_bytes(""), 0);
  CHECK_FALSE(q.holds_storage());
  q.push(make_shared_bytes("data: x\n\n"), no_mark);
  CHECK(q.holds_storage());
  q.consume(5, no_mark);
  CHECK(q.holds_storage());
  q.consume(4, no_mark);
  CHECK_FALSE(q.holds_storage());
  CHECK(q.empty());
}

TEST_CASE("many buffers drain through repeated partial consumes", "[write_queue]") {
  SseWriteQueue q;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const std::string s = std::to_string(i) + ",";
    expected += s;
    q.push(make_shared_bytes(s), no_mark);
  }
  std::string got;
  while (!q.empty()) {
    std::string_view views[8];
    const auto n = q.gather(views, 8);
    REQUIRE(n > 0);
    // Write 3 bytes at a time, as a congested socket might.
    std::size_t take = 3;
    for (std::size_t i = 0; i < n && take > 0; ++i) {
      const auto part = views[i].substr(0, take);
      got += std::string(part);
      take -= part.size();
    }
    q.consume(3 - take, no_mark);
  }
  CHECK(got == expected);
  CHECK_FALSE(q.holds_storage());
}

TEST_CASE("past the high-water mark push answers full, and takes the bytes", "[write_queue]") {
  SseWriteQueue q;
  const std::size_t mark = 10;
  CHECK(q.push(make_shared_bytes("12345"), mark) == WriteResult::accepted);
  CHECK(q.push(make_shared_bytes("67890"), mark) == WriteResult::accepted);  // at the mark
  CHECK_FALSE(q.wants_writable());
  CHECK(q.push(make_shared_bytes("x"), mark) == WriteResult::full);
  CHECK(q.wants_writable());
  CHECK(q.size() == 11);
  CHECK(q.push(make_shared_bytes("y"), mark) == WriteResult::full);
  CHECK(q.size() == 12);
}

TEST_CASE("on_writable is due once, when the queue has drained to half the mark", "[write_queue]") {
  SseWriteQueue q;
  const std::size_t mark = 10;
  for (int i = 0; i < 12; ++i) q.push(make_shared_bytes("a"), mark);  // 12 bytes: full
  REQUIRE(q.wants_writable());
  CHECK_FALSE(q.consume(2, mark));  // 10 left: at the mark, not yet half
  CHECK_FALSE(q.consume(4, mark));  // 6 left
  CHECK(q.consume(1, mark));        // 5 left: half the mark
  CHECK_FALSE(q.wants_writable());
  CHECK_FALSE(q.consume(1, mark));  // told once
  CHECK_FALSE(q.consume(4, mark));  // drained: nothing more to tell
  CHECK(q.empty());

  // A queue that drains in one step from above the mark tells at once.
  for (int i = 0; i < 12; ++i) q.push(make_shared_bytes("b"), mark);
  CHECK(q.consume(12, mark));
  // Never full, never told.
  q.push(make_shared_bytes("c"), mark);
  CHECK_FALSE(q.consume(1, mark));
}

TEST_CASE("close: later pushes answer closed, drained once everything before is written",
          "[write_queue]") {
  SseWriteQueue q;
  q.push(make_shared_bytes("last event"), no_mark);
  q.close();
  CHECK(q.closing());
  CHECK_FALSE(q.drained());  // 10 bytes still to write
  CHECK(q.push(make_shared_bytes("late"), no_mark) == WriteResult::closed);
  CHECK(q.size() == 10);
  q.consume(9, no_mark);
  CHECK_FALSE(q.drained());
  q.consume(1, no_mark);
  CHECK(q.drained());

  SseWriteQueue idle;
  idle.close();
  CHECK(idle.drained());  // nothing to wait for
  CHECK_FALSE(idle.holds_storage());
}

TEST_CASE("clear drops the bytes and a pending on_writable", "[write_queue]") {
  SseWriteQueue q;
  auto bytes = make_shared_bytes("0123456789abc");
  CHECK(q.push(bytes, 4) == WriteResult::full);
  q.clear();
  CHECK(q.empty());
  CHECK_FALSE(q.holds_storage());
  CHECK_FALSE(q.wants_writable());
  CHECK(bytes.use_count() == 1);
  CHECK_FALSE(q.consume(0, 4));
}
