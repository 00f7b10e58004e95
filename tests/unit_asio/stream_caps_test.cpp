// Streams per session and per token (examples/asio stream_caps.hpp).
#include "eudiplo_sse/asio/stream_caps.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "fake_sse_writer.hpp"

using namespace eudiplo_sse;
using eudiplo_sse::http::StreamCaps;
using eudiplo_sse::http::StreamCapsOptions;

TEST_CASE("a session's streams are capped; a slot comes back when its writer goes",
          "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{2, 0});
  auto first = caps.take("t", "s1", "tok-a");
  auto second = caps.take("t", "s1", "tok-b");
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(caps.take("t", "s1", "tok-c"));
  CHECK(caps.refused() == 1);
  CHECK(caps.take("t", "s2", "tok-a"));  // another session has its own count (released at once)
  CHECK(caps.open() == 2);

  auto inner = std::make_shared<test::FakeSseWriter>();
  auto writer = StreamCaps::hold(std::move(first), inner);
  CHECK_FALSE(caps.take("t", "s1", "tok-d"));  // the writer still holds the slot
  CHECK(writer->write(make_shared_bytes("data: x\n\n")) == WriteResult::accepted);
  CHECK(inner->bytes() == "data: x\n\n");  // forwarded
  writer->close();
  CHECK(inner->close_calls() == 1);
  writer.reset();
  CHECK(caps.open() == 1);
  CHECK(caps.take("t", "s1", "tok-e"));
  CHECK(caps.refused() == 2);
}

TEST_CASE("the same session id under two tenants has two counts", "[stream_caps]") {
  // Ids are unique per tenant only: one tenant's streams must not use up another's.
  StreamCaps caps(StreamCapsOptions{1, 0});
  auto mine = caps.take("tenant-a", "same-id", "tok");
  REQUIRE(mine);
  CHECK(caps.take("tenant-b", "same-id", "tok"));
  CHECK_FALSE(caps.take("tenant-a", "same-id", "tok"));
  // Length-prefixed keys: "ab" + "c" is not "a" + "bc".
  auto split_one = caps.take("ab", "c", "tok");
  REQUIRE(split_one);
  CHECK(caps.take("a", "bc", "tok"));
}

TEST_CASE("a token's streams are capped across sessions, keyed by a digest", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{0, 3});
  std::vector<StreamCaps::Slot> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(caps.take("t", "s" + std::to_string(i), "one-token"));
    REQUIRE(held.back());
  }
  CHECK_FALSE(caps.take("t", "s9", "one-token"));
  CHECK(caps.take("t", "s9", "other-token"));
  held.pop_back();
  CHECK(caps.take("t", "s9", "one-token"));
}

TEST_CASE("slots survive the counts' rehashing and moves", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{1, 1});
  std::vector<StreamCaps::Slot> held;
  for (int i = 0; i < 2000; ++i) {  // grows both maps through many rehashes
    held.push_back(caps.take("t", "s" + std::to_string(i), "tok" + std::to_string(i)));
    REQUIRE(held.back());
  }
  CHECK(caps.open() == 2000);
  for (int i = 0; i < 2000; i += 2) held[static_cast<std::size_t>(i)] = StreamCaps::Slot();
  CHECK(caps.open() == 1000);
  CHECK(caps.take("t", "s0", "tok0"));         // given back
  CHECK_FALSE(caps.take("t", "s1", "tok-x"));  // still held
  held.clear();
  CHECK(caps.open() == 0);
  CHECK(caps.take("t", "s1", "tok1"));
}

TEST_CASE("zero means no cap", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{0, 0});
  std::vector<StreamCaps::Slot> held;
  for (int i = 0; i < 1000; ++i) held.push_back(caps.take("t", "s", "t"));
  for (const auto& slot : held) CHECK(slot);
  CHECK(caps.refused() == 0);
  CHECK(caps.open() == 1000);
}
