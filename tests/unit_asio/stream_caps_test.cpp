// Streams per session and per token (examples/asio stream_caps.hpp).
#include "eudiplo_sse/asio/stream_caps.hpp"

#include <vector>

#include "catch.hpp"
#include "fake_sse_writer.hpp"

using namespace eudiplo_sse;
using eudiplo_sse::http::StreamCaps;
using eudiplo_sse::http::StreamCapsOptions;

TEST_CASE("a session's streams are capped; a slot comes back when its writer goes",
          "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{2, 0});
  auto first = caps.take("s1", "tok-a");
  auto second = caps.take("s1", "tok-b");
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(caps.take("s1", "tok-c"));
  CHECK(caps.refused() == 1);
  CHECK(caps.take("s2", "tok-a"));  // another session has its own count (released at once)
  CHECK(caps.open() == 2);

  auto inner = std::make_shared<test::FakeSseWriter>();
  auto writer = StreamCaps::hold(std::move(first), inner);
  CHECK_FALSE(caps.take("s1", "tok-d"));  // the writer still holds the slot
  CHECK(writer->write(make_shared_bytes("data: x\n\n")) == WriteResult::accepted);
  CHECK(inner->bytes() == "data: x\n\n");  // forwarded
  writer->close();
  CHECK(inner->close_calls() == 1);
  writer.reset();
  CHECK(caps.take("s1", "tok-e"));
  CHECK(caps.refused() == 2);
}

TEST_CASE("a token's streams are capped across sessions, keyed by a digest", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{0, 3});
  std::vector<std::shared_ptr<StreamCaps::Slot>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(caps.take("s" + std::to_string(i), "one-token"));
    REQUIRE(held.back());
  }
  CHECK_FALSE(caps.take("s9", "one-token"));
  CHECK(caps.take("s9", "other-token"));
  held.pop_back();
  CHECK(caps.take("s9", "one-token"));
}

TEST_CASE("zero means no cap", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{0, 0});
  std::vector<std::shared_ptr<StreamCaps::Slot>> held;
  for (int i = 0; i < 1000; ++i) held.push_back(caps.take("s", "t"));
  for (const auto& slot : held) CHECK(slot);
  CHECK(caps.refused() == 0);
}
