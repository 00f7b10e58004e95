// Allocation budgets of the library's hot paths (issue 12), counted by a replaced
// global operator new (counting_new.cpp, linked into this binary only):
// - a status event is one allocation, and handing its bytes to a writer is none;
// - an open idle stream holds one allocation of the route's own, plus the two
//   callbacks the SseWriter interface makes it hand to the writer.
// Each test prints its figures (they are the before/after of docs/benchmarks.md).
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "counting_new.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"

using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;
using eudiplo_sse::test::AllocationCounts;
using eudiplo_sse::test::Counting;

namespace {

const TimePoint kT0{std::chrono::seconds(1768478400)};  // 2026-01-15T12:00:00Z

Session sample_session(std::uint64_t version) {
  Session s;
  s.id = "0f8c2a7e-1b2d-4c3e-9f40-5a6b7c8d9e0f";  // 36 characters: no short-string buffer
  s.tenant = "tenant-with-a-long-name";           // nor here
  s.status = SessionStatus::fetched;
  s.version = version;
  s.created_at = kT0;
  s.updated_at = kT0 + std::chrono::milliseconds(1234);
  s.expires_at = kT0 + std::chrono::minutes(5);
  return s;
}

void report(const char* what, const AllocationCounts& c, std::int64_t per) {
  std::printf("[allocations] %s: %.2f allocations, %.2f still live, %.1f live bytes each\n", what,
              static_cast<double>(c.allocations) / static_cast<double>(per),
              static_cast<double>(c.live()) / static_cast<double>(per),
              static_cast<double>(c.live_bytes) / static_cast<double>(per));
}

// Accepts everything and keeps nothing but the callbacks, as an idle connection
// does; the test's own bookkeeping is made before counting starts.
class IdleWriter final : public eudiplo_sse::SseWriter {
 public:
  eudiplo_sse::WriteResult write(eudiplo_sse::SharedBytes bytes) override {
    writes_ += bytes ? 1 : 0;
    return eudiplo_sse::WriteResult::accepted;
  }
  void close() override {}
  void on_writable(std::function<void()> callback) override { on_writable_ = std::move(callback); }
  void on_closed(std::function<void()> callback) override { on_closed_ = std::move(callback); }
  int writes() const { return writes_; }

 private:
  int writes_ = 0;
  std::function<void()> on_writable_;
  std::function<void()> on_closed_;
};

class OneTenantVerifier final : public eudiplo_sse::TokenVerifier {
 public:
  eudiplo_sse::VerifyResult verify(std::string_view, TimePoint) const override {
    eudiplo_sse::VerifyResult r;
    r.principal.tenant = "tenant-with-a-long-name";
    r.principal.expires_at = kT0 + std::chrono::hours(1);
    return r;
  }
};

}  // namespace

TEST_CASE("a status event is one allocation, its bytes for a writer none", "[allocations]") {
  constexpr int kEvents = 1000;
  std::vector<StatusEventPtr> events;
  events.reserve(kEvents);
  std::vector<Session> sessions;
  for (int i = 0; i < kEvents; ++i) sessions.push_back(sample_session(1000 + i));

  AllocationCounts made;
  {
    Counting counting;
    for (const Session& s : sessions) events.push_back(eudiplo_sse::make_status_event(s));
    made = counting.counts();
  }
  report("make_status_event", made, kEvents);
  CHECK(made.allocations == kEvents);
  CHECK(events.back()->version == 1000 + kEvents - 1);
  CHECK(events.back()->session_id == sessions.back().id);
  CHECK(events.back()->tenant == sessions.back().tenant);

  std::vector<eudiplo_sse::SharedBytes> bytes;
  bytes.reserve(kEvents);
  AllocationCounts shared;
  {
    Counting counting;
    for (const auto& e : events) bytes.push_back(eudiplo_sse::sse_bytes(e));
    shared = counting.counts();
  }
  CHECK(shared.allocations == 0);
  CHECK(bytes.front()->size() == events.front()->sse.size());
}

TEST_CASE("make_shared_bytes is one allocation", "[allocations]") {
  const std::string text(100, 'x');
  AllocationCounts c;
  eudiplo_sse::SharedBytes b;
  {
    Counting counting;
    b = eudiplo_sse::make_shared_bytes(text);
    c = counting.counts();
  }
  CHECK(c.allocations == 1);
  CHECK(b->size() == text.size());
}

TEST_CASE("a subscription to a session of its own is one allocation", "[allocations]") {
  constexpr int kSessions = 2000;
  StatusPublisher publisher(64);
  std::vector<std::string> ids;
  for (int i = 0; i < kSessions; ++i) ids.push_back("session-id-long-enough-" + std::to_string(i));
  std::vector<StatusPublisher::Subscription> subs;
  subs.reserve(2 * kSessions);
  int delivered = 0;
  auto subscribe_all = [&] {
    for (const std::string& id : ids) {
      subs.push_back(publisher.subscribe(
          "tenant-with-a-long-name", id, [&delivered](const StatusEventPtr&) { ++delivered; },
          [] { return StatusEventPtr(); }));
    }
  };
  subscribe_all();  // grows the publisher's tables to their size for this many sessions
  subs.clear();

  AllocationCounts c;
  {
    Counting counting;
    subscribe_all();
    c = counting.counts();
  }
  report("StatusPublisher::subscribe, one per session", c, kSessions);
  CHECK(publisher.subscriber_count() == kSessions);
  // The subscriber, its session key and its callback in one block; the session's
  // entry in the publisher is the subscriber itself (before issue 12: 5 allocations,
  // 392 bytes).
  CHECK(c.live() == kSessions);
  CHECK(c.live_bytes <= kSessions * 320);
}

TEST_CASE("an open idle stream holds one allocation of the route's own", "[allocations]") {
  constexpr int kStreams = 2000;
  eudiplo_sse::InMemorySessionStore store;
  StatusPublisher publisher;
  eudiplo_sse::SessionService service(store, publisher, [] { return kT0; });
  OneTenantVerifier verifier;
  eudiplo_sse::EventsRoute route(verifier, service);

  std::vector<std::string> ids;
  std::vector<std::shared_ptr<IdleWriter>> writers;
  auto prepare = [&] {
    ids.clear();
    writers.clear();
    for (int i = 0; i < kStreams; ++i) {
      auto created = service.create("tenant-with-a-long-name", std::chrono::hours(1));
      REQUIRE_FALSE(created.error);
      ids.push_back(created.session.id);
      writers.push_back(std::make_shared<IdleWriter>());
    }
  };
  auto open_all = [&] {
    for (int i = 0; i < kStreams; ++i) {
      auto response = route.check({ids[i], "any-token", "", ""});
      REQUIRE(response.is_stream());
      route.open(std::move(response), writers[i]);
    }
  };
  // A first round grows every table (route shards, publisher shards, the store's
  // own) to its size for this many streams; it is then closed.
  prepare();
  open_all();
  route.close_all();
  REQUIRE(route.stats().open_streams == 0);

  prepare();
  AllocationCounts c;
  {
    Counting counting;
    open_all();
    c = counting.counts();
  }
  report("EventsRoute check + open, per idle stream", c, kStreams);
  CHECK(route.stats().open_streams == kStreams);
  CHECK(writers.back()->writes() == 2);  // the retry field, the current status
  // One block per stream (stream, subscriber, feed and session key together), and
  // the two std::function targets handed to the writer: a weak_ptr capture is not
  // trivially copyable, so libstdc++ keeps it on the heap.
  // (Before issue 12: 11 allocations, 987 bytes.)
  CHECK(c.live() == 3 * kStreams);
  CHECK(c.live_bytes <= kStreams * 480);

  // Closing gives everything back.
  AllocationCounts after_close;
  {
    Counting counting;
    route.close_all();
    writers.clear();
    after_close = counting.counts();
  }
  CHECK(route.stats().open_streams == 0);
  CHECK(after_close.frees - after_close.allocations >= c.live());
}
