// EventsRoute::async_check and the single read per stream open, against a store
// that completes later on another thread (as a network store does).
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "deferred_session_store.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "event_stream_parser.hpp"
#include "fake_sse_writer.hpp"
#include "fake_token_verifier.hpp"

using eudiplo_sse::EventsRequest;
using eudiplo_sse::EventsResponse;
using eudiplo_sse::EventsRoute;
using eudiplo_sse::EventsRouteOptions;
using eudiplo_sse::SessionService;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;
using eudiplo_sse::test::DeferredStore;
using eudiplo_sse::test::EventStreamParser;
using eudiplo_sse::test::FakeSseWriter;
using eudiplo_sse::test::FakeTokenVerifier;
using eudiplo_sse::test::RecordingBus;
using std::chrono::seconds;

namespace {

const TimePoint kT0 = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");
const std::string kTok = "TOKEN-ASYNC-5e6f7a8b9c";

struct AsyncFixture {
  DeferredStore store;
  StatusPublisher publisher;
  RecordingBus bus{publisher};
  SessionService service{store, publisher, bus, [] { return kT0; }};
  FakeTokenVerifier verifier;
  std::unique_ptr<EventsRoute> route;
  std::string id;

  explicit AsyncFixture(EventsRouteOptions options = {}) {
    verifier.allow(kTok, "tenant-a", kT0 + seconds(3600));
    route = std::make_unique<EventsRoute>(verifier, service, options);
    auto created = service.create("tenant-a", seconds(300));  // synchronous: inline
    REQUIRE_FALSE(created.error);
    id = created.session.id;
  }

  // Starts an async check; the answer lands in the returned slot once the store
  // has completed (run_all()).
  std::shared_ptr<std::optional<EventsResponse>> start(const std::string& session_id,
                                                       const std::string& last_event_id = "") {
    auto slot = std::make_shared<std::optional<EventsResponse>>();
    route->async_check(EventsRequest{session_id, kTok, "", last_event_id},
                       [slot](EventsResponse r) { *slot = std::move(r); });
    return slot;
  }

  int watches() { return bus.watches[std::string("tenant-a/") + id]; }
};

// The statuses of the events in `bytes`, with their ids (versions).
std::vector<std::pair<std::string, std::string>> statuses(const std::string& bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  const EventStreamParser parser = EventStreamParser::parse(bytes);  // outlives the loop
  for (const auto& e : parser.events()) {
    const auto at = e.data.find("\"status\":\"");
    REQUIRE(at != std::string::npos);
    const auto from = at + 10;
    out.emplace_back(e.data.substr(from, e.data.find('"', from) - from), e.last_event_id);
  }
  return out;
}

}  // namespace

TEST_CASE("async_check answers once the store has completed on another thread",
          "[events_route][async]") {
  AsyncFixture f;
  auto answer = f.start(f.id);
  CHECK_FALSE(*answer);  // the store has not answered yet
  CHECK(f.store.pending() == 1);
  f.store.run_all();
  REQUIRE(*answer);
  REQUIRE((*answer)->status == 200);

  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(**answer), writer);
  auto seen = statuses(writer->bytes());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == "active");
  CHECK(seen[0].second == "1");
  // One read for the whole open: open() reads nothing more.
  CHECK(f.store.reads == 1);
  CHECK(f.store.pending() == 0);

  f.service.set_status("tenant-a", f.id, SessionStatus::fetched);
  f.service.set_status("tenant-a", f.id, SessionStatus::completed);
  seen = statuses(writer->bytes());
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].first == "fetched");
  CHECK(seen[2].first == "completed");
  CHECK(writer->close_calls() == 1);  // the terminal status ends the response
}

TEST_CASE("a change racing the read reaches the stream (subscribed before reading)",
          "[events_route][async]") {
  AsyncFixture f;
  // The read sees `active`; the change lands after it, before the answer.
  f.store.after_read = [&f] { f.service.set_status("tenant-a", f.id, SessionStatus::fetched); };
  auto answer = f.start(f.id);
  f.store.run_all();
  REQUIRE(*answer);
  REQUIRE((*answer)->status == 200);
  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(**answer), writer);
  const auto seen = statuses(writer->bytes());
  // Only the newest status: the older read is dropped, never written after it.
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == "fetched");
  CHECK(seen[0].second == "2");
}

TEST_CASE("changes between the answer and open() are kept, newest first and only once",
          "[events_route][async]") {
  AsyncFixture f;
  auto answer = f.start(f.id);
  f.store.run_all();
  REQUIRE(*answer);
  REQUIRE((*answer)->status == 200);
  // The host is still sending the response head.
  f.service.set_status("tenant-a", f.id, SessionStatus::fetched);
  f.service.set_status("tenant-a", f.id, SessionStatus::failed);
  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(**answer), writer);
  const auto seen = statuses(writer->bytes());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == "failed");
  CHECK(writer->close_calls() == 1);
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.publisher.subscriber_count() == 0);
  CHECK(f.watches() == 0);
}

TEST_CASE("an unavailable store gets 503 with Retry-After and holds nothing",
          "[events_route][async]") {
  EventsRouteOptions options;
  options.unavailable_retry_after = seconds(7);
  AsyncFixture f(options);
  f.store.down = true;
  auto answer = f.start(f.id);
  CHECK(f.publisher.subscriber_count() == 1);  // registered before the read
  CHECK(f.watches() == 1);
  f.store.run_all();
  REQUIRE(*answer);
  const EventsResponse& r = **answer;
  CHECK(r.status == 503);
  CHECK_FALSE(r.is_stream());
  bool retry_after = false;
  for (const auto& h : r.headers) {
    if (h.name == "Retry-After") retry_after = h.value == "7";
  }
  CHECK(retry_after);
  CHECK(r.body.find("session store unavailable") != std::string::npos);
  CHECK(r.body.find(kTok) == std::string::npos);
  CHECK(f.publisher.subscriber_count() == 0);
  CHECK(f.watches() == 0);

  // The store back: the same request opens.
  f.store.down = false;
  auto again = f.start(f.id);
  f.store.run_all();
  REQUIRE(*again);
  CHECK((*again)->status == 200);
}

TEST_CASE("async_check: unknown session 404, final Last-Event-ID 204, bad token inline",
          "[events_route][async]") {
  AsyncFixture f;
  auto missing = f.start("no-such-session");
  f.store.run_all();
  REQUIRE(*missing);
  CHECK((*missing)->status == 404);
  CHECK(f.publisher.subscriber_count() == 0);

  f.service.set_status("tenant-a", f.id, SessionStatus::completed);  // version 2
  auto done = f.start(f.id, "2");
  f.store.run_all();
  REQUIRE(*done);
  CHECK((*done)->status == 204);
  CHECK(f.publisher.subscriber_count() == 0);

  const int reads = f.store.reads;
  std::optional<EventsResponse> refused;
  f.route->async_check(EventsRequest{f.id, "TOKEN-UNKNOWN", "", ""},
                       [&refused](EventsResponse r) { refused = std::move(r); });
  REQUIRE(refused);  // inline: the store is never asked
  CHECK(refused->status == 401);
  CHECK(f.store.reads == reads);
  CHECK(f.store.pending() == 0);
}

TEST_CASE("a 200 answer dropped without open() releases its subscription and watch",
          "[events_route][async]") {
  AsyncFixture f;
  auto answer = f.start(f.id);
  f.store.run_all();
  REQUIRE(*answer);
  REQUIRE((*answer)->status == 200);
  CHECK(f.publisher.subscriber_count() == 1);
  CHECK(f.watches() == 1);
  answer->reset();  // the client went away before the host could open the stream
  CHECK(f.publisher.subscriber_count() == 0);
  CHECK(f.watches() == 0);
}

TEST_CASE("the open stream holds one bus watch until it ends", "[events_route][async]") {
  AsyncFixture f;
  auto answer = f.start(f.id);
  f.store.run_all();
  REQUIRE(*answer);
  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(**answer), writer);
  CHECK(f.watches() == 1);
  writer->end();  // the client disconnects
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.watches() == 0);
  CHECK(f.publisher.subscriber_count() == 0);
}

TEST_CASE("check() waits for a store that completes on another thread", "[events_route][async]") {
  AsyncFixture f;
  std::atomic<bool> stop{false};
  std::thread completer([&] {
    while (!stop) {
      if (f.store.pending() > 0) f.store.run_all();
      std::this_thread::yield();
    }
  });
  const EventsResponse r = f.route->check(EventsRequest{f.id, kTok, "", ""});
  stop = true;
  completer.join();
  CHECK(r.status == 200);
  CHECK(f.store.reads == 1);
}
