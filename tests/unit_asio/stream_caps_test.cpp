// Streams per token (examples/asio stream_caps.hpp). The cap per session is the
// library's (events_route_stream_cap_test.cpp).
#include "eudiplo_sse/asio/stream_caps.hpp"

#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "fake_sse_writer.hpp"

using namespace eudiplo_sse;
using eudiplo_sse::http::StreamCaps;
using eudiplo_sse::http::StreamCapsOptions;

namespace {

struct CountingListener final : SseWriterListener {
  int writable_calls = 0;
  int closed_calls = 0;
  void writable() override { ++writable_calls; }
  void closed() override { ++closed_calls; }
};

}  // namespace

TEST_CASE("a token's streams are capped across sessions, keyed by a digest", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{3});
  REQUIRE(caps.capped());
  std::vector<StreamCaps::Slot> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(caps.take("one-token"));
    REQUIRE(held.back());
  }
  CHECK_FALSE(caps.take("one-token"));
  CHECK(caps.refused() == 1);
  CHECK(caps.take("other-token"));  // released at once
  held.pop_back();
  CHECK(caps.take("one-token"));
  CHECK(caps.open() == 2);
}

TEST_CASE("the wrapping writer holds the slot and forwards everything", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{1});
  auto inner = std::make_shared<test::FakeSseWriter>();
  auto writer = StreamCaps::hold(caps.take("tok"), inner);
  CHECK_FALSE(caps.take("tok"));  // the writer still holds the slot
  CHECK(writer->write(make_shared_bytes("data: x\n\n")) == WriteResult::accepted);
  CHECK(inner->bytes() == "data: x\n\n");

  // listen() reaches the inner writer (which calls the listener back through its
  // two callbacks, the SseWriter default).
  auto listener = std::make_shared<CountingListener>();
  writer->listen(listener);
  inner->drain();
  CHECK(listener->writable_calls == 1);
  writer->close();
  CHECK(inner->close_calls() == 1);
  inner->end();
  CHECK(listener->closed_calls == 1);

  writer.reset();
  CHECK(caps.open() == 0);
  CHECK(caps.take("tok"));
}

TEST_CASE("slots survive the counts' rehashing and moves", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{1});
  std::vector<StreamCaps::Slot> held;
  for (int i = 0; i < 2000; ++i) {  // grows the map through many rehashes
    held.push_back(caps.take("tok" + std::to_string(i)));
    REQUIRE(held.back());
  }
  CHECK(caps.open() == 2000);
  for (int i = 0; i < 2000; i += 2) held[static_cast<std::size_t>(i)] = StreamCaps::Slot();
  CHECK(caps.open() == 1000);
  CHECK(caps.take("tok0"));        // given back
  CHECK_FALSE(caps.take("tok1"));  // still held
  held.clear();
  CHECK(caps.open() == 0);
  CHECK(caps.take("tok1"));
}

TEST_CASE("zero means no cap: nothing is taken or counted", "[stream_caps]") {
  StreamCaps caps(StreamCapsOptions{0});
  CHECK_FALSE(caps.capped());
  CHECK_FALSE(caps.take("t"));
  CHECK(caps.refused() == 0);
  CHECK(caps.open() == 0);
}
