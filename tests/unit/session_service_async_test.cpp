// The completion-based path of SessionService and the StatusBus seam.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "deferred_session_store.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/status_bus.hpp"

using eudiplo_sse::CreateResult;
using eudiplo_sse::InMemorySessionStore;
using eudiplo_sse::Session;
using eudiplo_sse::SessionService;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;
using eudiplo_sse::TransitionResult;
using eudiplo_sse::test::DeferredStore;
using eudiplo_sse::test::RecordingBus;
using std::chrono::seconds;

namespace {

const TimePoint kT0 = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");

StatusPublisher::Subscription watch(StatusPublisher& p, const std::string& tenant,
                                    const std::string& id, std::vector<StatusEventPtr>& out) {
  return p.subscribe(
      tenant, id, [&out](const StatusEventPtr& e) { out.push_back(e); },
      [] { return StatusEventPtr(); });
}

}  // namespace

TEST_CASE("with the in-memory store every async call completes inline", "[service][async]") {
  InMemorySessionStore store;
  StatusPublisher publisher;
  SessionService service(store, publisher, [] { return kT0; });
  std::vector<StatusEventPtr> events;
  auto sub = watch(publisher, "t", "s1", events);

  bool created = false;
  service.async_create("t", seconds(60), "s1", [&](CreateResult r) {
    CHECK_FALSE(r.error);
    CHECK(r.session.id == "s1");
    CHECK(r.session.expires_at == kT0 + seconds(60));
    created = true;
  });
  CHECK(created);

  bool got = false;
  service.async_get("t", "s1", [&](std::error_code ec, std::optional<Session> s) {
    CHECK_FALSE(ec);
    REQUIRE(s);
    CHECK(s->status == SessionStatus::active);
    got = true;
  });
  CHECK(got);

  bool set = false;
  service.async_set_status("t", "s1", SessionStatus::fetched, [&](TransitionResult r) {
    CHECK_FALSE(r.error);
    CHECK(r.changed);
    // Published before the handler runs.
    REQUIRE(events.size() == 1);
    CHECK(events[0]->version == 2);
    set = true;
  });
  CHECK(set);

  bool other_tenant = false;
  service.async_get("u", "s1", [&](std::error_code ec, std::optional<Session> s) {
    CHECK_FALSE(ec);
    CHECK_FALSE(s);
    other_tenant = true;
  });
  CHECK(other_tenant);
}

TEST_CASE("a deferred store completes later and publishes only then", "[service][async]") {
  DeferredStore store;
  StatusPublisher publisher;
  SessionService service(store, publisher, [] { return kT0; });
  std::vector<StatusEventPtr> events;
  auto sub = watch(publisher, "t", "s1", events);

  int created = 0;
  service.async_create("t", seconds(60), "s1", [&](CreateResult r) {
    CHECK_FALSE(r.error);
    ++created;
  });
  CHECK(created == 0);
  store.run_all();
  CHECK(created == 1);

  int done = 0;
  service.async_set_status("t", "s1", SessionStatus::completed, [&](TransitionResult r) {
    CHECK_FALSE(r.error);
    CHECK(r.session.status == SessionStatus::completed);
    ++done;
  });
  CHECK(done == 0);
  CHECK(events.empty());
  CHECK(store.pending() == 1);
  store.run_all();
  CHECK(done == 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0]->status == SessionStatus::completed);
}

TEST_CASE("store_unavailable reaches the handler and publishes nothing", "[service][async]") {
  DeferredStore store;
  StatusPublisher publisher;
  SessionService service(store, publisher, [] { return kT0; });
  REQUIRE_FALSE(service.create("t", seconds(60), "s1").error);
  std::vector<StatusEventPtr> events;
  auto sub = watch(publisher, "t", "s1", events);
  store.down = true;

  std::error_code set_error, get_error, create_error;
  service.async_set_status("t", "s1", SessionStatus::failed,
                           [&](TransitionResult r) { set_error = r.error; });
  service.async_get("t", "s1", [&](std::error_code ec, std::optional<Session>) { get_error = ec; });
  service.async_create("t", seconds(60), "s2", [&](CreateResult r) { create_error = r.error; });
  store.run_all();
  CHECK(set_error == eudiplo_sse::error::store_unavailable);
  CHECK(get_error == eudiplo_sse::error::store_unavailable);
  CHECK(create_error == eudiplo_sse::error::store_unavailable);
  CHECK(events.empty());
  CHECK(service.get("t", "s1")->status == SessionStatus::active);
  CHECK(
      std::string(eudiplo_sse::make_error_code(eudiplo_sse::error::store_unavailable).message()) ==
      "session store unavailable");
}

TEST_CASE("async_expire_due publishes each expired session", "[service][async]") {
  InMemorySessionStore store;
  StatusPublisher publisher;
  TimePoint now = kT0;
  SessionService service(store, publisher, [&now] { return now; });
  REQUIRE_FALSE(service.create("t", seconds(10), "a").error);
  REQUIRE_FALSE(service.create("t", seconds(20), "b").error);
  std::vector<StatusEventPtr> a, b;
  auto sa = watch(publisher, "t", "a", a);
  auto sb = watch(publisher, "t", "b", b);
  now = kT0 + seconds(15);
  std::size_t changed = 99;
  service.async_expire_due([&](std::error_code ec, std::size_t n) {
    CHECK_FALSE(ec);
    changed = n;
  });
  CHECK(changed == 1);
  REQUIRE(a.size() == 1);
  CHECK(a[0]->status == SessionStatus::expired);
  CHECK(b.empty());
}

TEST_CASE("with a bus, every committed change goes through the bus", "[service][bus]") {
  InMemorySessionStore store;
  StatusPublisher publisher;
  RecordingBus bus(publisher);
  TimePoint now = kT0;
  SessionService service(store, publisher, bus, [&now] { return now; });
  std::vector<StatusEventPtr> events;
  auto sub = watch(publisher, "t", "s1", events);

  REQUIRE_FALSE(service.create("t", seconds(10), "s1").error);
  REQUIRE_FALSE(service.create("t", seconds(100), "s2").error);
  service.set_status("t", "s1", SessionStatus::fetched);
  service.set_status("t", "s1", SessionStatus::fetched);  // no-op: not published
  service.async_set_status("t", "s1", SessionStatus::active, [](TransitionResult r) {
    CHECK(r.error == eudiplo_sse::error::invalid_transition);
  });
  now = kT0 + seconds(11);
  CHECK(service.expire_due() == 1);

  REQUIRE(bus.seen.size() == 2);
  CHECK(bus.seen[0]->status == SessionStatus::fetched);
  CHECK(bus.seen[1]->status == SessionStatus::expired);
  CHECK(bus.seen[1]->version == 3);
  REQUIRE(events.size() == 2);
  CHECK(events[1]->version == 3);
}

TEST_CASE("BusWatch holds one watch for its lifetime, moves included", "[bus]") {
  StatusPublisher publisher;
  RecordingBus bus(publisher);
  {
    eudiplo_sse::BusWatch a(bus, "t", "s1");
    eudiplo_sse::BusWatch b(bus, "t", "s1");
    CHECK(bus.watches["t/s1"] == 2);
    eudiplo_sse::BusWatch moved(std::move(a));
    CHECK(bus.watches["t/s1"] == 2);
    b.reset();
    CHECK(bus.watches["t/s1"] == 1);
    b.reset();  // twice is harmless
    CHECK(bus.watches["t/s1"] == 1);
    eudiplo_sse::BusWatch other(bus, "t", "s2");
    other = std::move(moved);  // drops s2's watch, takes over s1's
    CHECK(bus.watches["t/s2"] == 0);
    CHECK(bus.watches["t/s1"] == 1);
  }
  CHECK(bus.watches["t/s1"] == 0);
  // The in-process bus ignores watches (it never misses a change).
  eudiplo_sse::LocalStatusBus local(publisher);
  eudiplo_sse::BusWatch w(local, "t", "s1");
}
