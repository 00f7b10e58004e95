#include "eudiplo_sse/asio/write_queue.hpp"

#include "catch.hpp"

using namespace eudiplo_sse;
using eudiplo_sse::http::WriteQueue;

namespace {

std::string drain_views(const WriteQueue& q, std::size_t max) {
  std::string_view views[8];
  const auto n = q.gather(views, max);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += std::string(views[i]) + "|";
  return out;
}

}  // namespace

TEST_CASE("bytes come out in order, from the offset they were queued at", "[queue]") {
  WriteQueue q;
  q.push(make_shared_bytes("hello"), 2);
  q.push(make_shared_bytes(""));  // nothing to write: not queued
  q.push(make_shared_bytes("world"));
  CHECK(q.size() == 8);
  CHECK(drain_views(q, 8) == "llo|world|");
  CHECK(drain_views(q, 1) == "llo|");
  q.consume(4);  // "llo" and "w"
  CHECK(q.size() == 4);
  CHECK(drain_views(q, 8) == "orld|");
  q.consume(4);
  CHECK(q.empty());
  CHECK(drain_views(q, 8).empty());
}

TEST_CASE("the queue shares the bytes instead of copying them", "[queue]") {
  auto bytes = make_shared_bytes("shared");
  WriteQueue q;
  q.push(bytes);
  CHECK(bytes.use_count() == 2);
  std::string_view v;
  q.gather(&v, 1);
  CHECK(v.data() == bytes->data());
  q.consume(6);
  CHECK(bytes.use_count() == 1);
}

TEST_CASE("many buffers drain through repeated partial consumes", "[queue]") {
  WriteQueue q;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const std::string s = std::to_string(i) + ",";
    expected += s;
    q.push(make_shared_bytes(s));
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
    q.consume(3 - take);
  }
  CHECK(got == expected);
}
