// The keep-alive spacing contract of EventsRoute (issue 12), with an injected clock:
// no stream is silent for more than one interval plus one tick, and the keep-alives
// of streams opened (or sent an event) in the same instant do not all fall in one
// tick. Asserts bounds, not an exact schedule.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "fake_sse_writer.hpp"
#include "fake_token_verifier.hpp"

using eudiplo_sse::EventsRequest;
using eudiplo_sse::EventsRoute;
using eudiplo_sse::EventsRouteOptions;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::TimePoint;
using eudiplo_sse::test::FakeSseWriter;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const TimePoint kStart = *eudiplo_sse::parse_iso8601("2026-03-01T08:00:00.000Z");
const std::string kToken = "TOKEN-HEARTBEAT-5e1d";
constexpr milliseconds kInterval = seconds(15);
constexpr milliseconds kTick = milliseconds(500);

// What one stream's writer saw, sampled after every step of the test.
struct Watch {
  std::shared_ptr<FakeSseWriter> writer;
  std::string session;
  std::size_t chunks_seen = 0;
  TimePoint last_write;
  milliseconds longest_silence{0};
};

bool is_keep_alive(const eudiplo_sse::SharedBytes& chunk) {
  return !chunk->empty() && chunk->front() == ':';
}

struct HeartbeatFixture {
  TimePoint now = kStart;
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService service{store, publisher, [this] { return now; }};
  eudiplo_sse::test::FakeTokenVerifier verifier;
  std::unique_ptr<EventsRoute> route;
  std::vector<Watch> streams;

  HeartbeatFixture() {
    verifier.allow(kToken, "tenant-a", kStart + std::chrono::hours(24));
    EventsRouteOptions options;
    options.heartbeat = std::chrono::duration_cast<seconds>(kInterval);
    route = std::make_unique<EventsRoute>(verifier, service, options);
  }
  ~HeartbeatFixture() { route.reset(); }

  void open_streams(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      auto created = service.create("tenant-a", seconds(3600));
      REQUIRE_FALSE(created.error);
      auto response = route->check(EventsRequest{created.session.id, kToken, "", ""});
      REQUIRE(response.is_stream());
      Watch w{std::make_shared<FakeSseWriter>(), created.session.id, 0, now, milliseconds(0)};
      route->open(std::move(response), w.writer);
      streams.push_back(std::move(w));
    }
    observe();
  }

  // Records, per stream, the silence that ended now; returns the keep-alives written
  // since the previous call.
  std::size_t observe() {
    std::size_t keep_alives = 0;
    for (Watch& w : streams) {
      const auto chunks = w.writer->chunks();
      if (chunks.size() == w.chunks_seen) continue;
      for (std::size_t i = w.chunks_seen; i < chunks.size(); ++i) {
        keep_alives += is_keep_alive(chunks[i]) ? 1 : 0;
      }
      w.chunks_seen = chunks.size();
      w.longest_silence =
          std::max(w.longest_silence, std::chrono::duration_cast<milliseconds>(now - w.last_write));
      w.last_write = now;
    }
    return keep_alives;
  }
};

}  // namespace

TEST_CASE("keep-alives: no stream silent over one interval plus one tick, and spread out",
          "[route][heartbeat]") {
  HeartbeatFixture f;
  constexpr std::size_t kStreams = 200;
  f.open_streams(kStreams);  // all in the same instant: the worst case for spreading
  f.route->tick();
  REQUIRE(f.observe() == 0);

  std::size_t most_in_one_tick = 0;
  std::size_t ticks_with_keep_alives = 0;
  std::size_t keep_alives = 0;
  const int ticks = static_cast<int>(seconds(120) / kTick);
  const int burst_at = static_cast<int>(seconds(40) / kTick);
  for (int t = 1; t <= ticks; ++t) {
    f.now += kTick;
    if (t == burst_at) {
      // An event to every stream in the same instant, as in the burst benchmark.
      for (const Watch& w : f.streams) {
        REQUIRE(f.service.set_status("tenant-a", w.session, SessionStatus::fetched).changed);
      }
      REQUIRE(f.observe() == 0);
    }
    f.route->tick();
    const std::size_t n = f.observe();
    keep_alives += n;
    most_in_one_tick = std::max(most_in_one_tick, n);
    ticks_with_keep_alives += n != 0 ? 1 : 0;
  }

  const auto bound = kInterval + kTick;
  for (const Watch& w : f.streams) {
    CHECK(w.longest_silence <= bound);
    CHECK(f.now - w.last_write <= bound);
    CHECK(w.writer->close_calls() == 0);
  }
  // Over 120 s at least one keep-alive per stream per interval went out...
  CHECK(keep_alives >= kStreams * 6);
  // ...but never to more than a quarter of the streams in one tick (all in one tick
  // is what a sweep writing to every stream at once does), spread over many ticks.
  CHECK(most_in_one_tick <= kStreams / 4);
  CHECK(ticks_with_keep_alives >= 30);
}

TEST_CASE("keep-alives: streams that end leave the schedule", "[route][heartbeat]") {
  HeartbeatFixture f;
  f.open_streams(40);
  // Half the clients leave at different moments; the rest must still hear keep-alives
  // (and ASan would see a sweep touching a stream that is gone).
  for (int t = 1; t <= 80; ++t) {
    f.now += kTick;
    if (t % 4 == 0 && static_cast<std::size_t>(t / 4) <= 20) {
      f.streams[static_cast<std::size_t>(t / 4 - 1) * 2].writer->end();
    }
    f.route->tick();
    f.observe();
  }
  CHECK(f.route->stats().open_streams == 20);
  for (std::size_t i = 1; i < f.streams.size(); i += 2) {
    CHECK(f.streams[i].longest_silence <= kInterval + kTick);
    CHECK(f.now - f.streams[i].last_write <= kInterval + kTick);
  }
}

TEST_CASE("keep-alives: a clock that steps back does not silence streams", "[route][heartbeat]") {
  HeartbeatFixture f;
  f.open_streams(10);
  f.now += seconds(5);
  f.route->tick();
  f.observe();
  f.now -= std::chrono::hours(1);  // the wall clock was corrected backwards
  for (auto& w : f.streams) w.last_write = f.now;
  for (int t = 1; t <= 2 * static_cast<int>(kInterval / kTick); ++t) {
    f.now += kTick;
    f.route->tick();
    f.observe();
  }
  for (const Watch& w : f.streams) {
    CHECK(w.longest_silence <= kInterval + kTick);
    CHECK(f.now - w.last_write <= kInterval + kTick);
  }
}
