// Two instances on one Redis: changes through A reach streams on B, once each and
// in version order; reconnection after CLIENT KILL and after a Redis restart.
#include "eudiplo_sse/redis/redis_status_bus.hpp"

#include <atomic>
#include <cstdlib>
#include <future>
#include <thread>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "redis_instance.hpp"

using eudiplo_sse::SessionStatus;
using eudiplo_sse::TransitionResult;
using eudiplo_sse::redis::RedisOptions;
using redis_test::follow;
using redis_test::Instance;
using redis_test::Received;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

RedisOptions options_for(const std::string& name) {
  RedisOptions o;
  o.key_prefix = redis_test::unique_prefix(name);
  return o;
}

void wait_subscribed(Instance& i, std::uint64_t n = 1) {
  REQUIRE(redis_test::eventually([&] { return i.bus.subscriptions() >= n; }));
}

// Versions strictly increasing, ending with `last`.
void check_in_order(Received& r, std::uint64_t last) {
  const auto events = r.snapshot();
  REQUIRE_FALSE(events.empty());
  for (std::size_t k = 1; k < events.size(); ++k) {
    CHECK(events[k]->version > events[k - 1]->version);
  }
  CHECK(events.back()->version == last);
}

}  // namespace

TEST_CASE("two buses on one Redis: every change reaches B once, in order", "[redis][bus]") {
  const auto url = redis_test::url_for(redis_test::fixture_port());
  const RedisOptions o = options_for("bus");
  Instance a(url, o);
  Instance b(url, o);
  wait_subscribed(a);
  wait_subscribed(b);

  constexpr int kSessions = 50;
  std::vector<std::unique_ptr<Received>> on_b(kSessions), on_a(kSessions);
  std::vector<eudiplo_sse::StatusPublisher::Subscription> subs;
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "b" + std::to_string(i);
    REQUIRE_FALSE(a.service.create("t", seconds(600), id).error);
    on_b[i] = std::make_unique<Received>();
    on_a[i] = std::make_unique<Received>();
    subs.push_back(follow(b, "t", id, *on_b[i]));
    subs.push_back(follow(a, "t", id, *on_a[i]));
  }
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "b" + std::to_string(i);
    REQUIRE(a.service.set_status("t", id, SessionStatus::fetched).changed);
    REQUIRE(a.service.set_status("t", id, i % 2 ? SessionStatus::completed : SessionStatus::failed)
                .changed);
  }
  for (int i = 0; i < kSessions; ++i) {
    INFO("session " << i);
    REQUIRE(redis_test::eventually([&] { return on_b[i]->size() == 3; }));
    check_in_order(*on_b[i], 3);
    CHECK(on_b[i]->snapshot().back()->status ==
          (i % 2 ? SessionStatus::completed : SessionStatus::failed));
    // A delivered its own changes at once; the echo from Redis was dropped.
    REQUIRE(redis_test::eventually([&] { return on_a[i]->size() == 3; }));
    check_in_order(*on_a[i], 3);
  }
  std::this_thread::sleep_for(milliseconds(200));  // room for a duplicate to show up
  for (int i = 0; i < kSessions; ++i) {
    CHECK(on_b[i]->size() == 3);
    CHECK(on_a[i]->size() == 3);
  }
}

TEST_CASE("changes made through either instance interleave without duplicates",
          "[redis][bus][race]") {
  const auto url = redis_test::url_for(redis_test::fixture_port());
  const RedisOptions o = options_for("mixed");
  Instance a(url, o);
  Instance b(url, o);
  wait_subscribed(a);
  wait_subscribed(b);
  constexpr int kSessions = 200;
  std::vector<std::unique_ptr<Received>> on_a(kSessions), on_b(kSessions);
  std::vector<eudiplo_sse::StatusPublisher::Subscription> subs;
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "m" + std::to_string(i);
    REQUIRE_FALSE(a.service.create("t", seconds(600), id).error);
    on_a[i] = std::make_unique<Received>();
    on_b[i] = std::make_unique<Received>();
    subs.push_back(follow(a, "t", id, *on_a[i]));
    subs.push_back(follow(b, "t", id, *on_b[i]));
  }
  std::atomic<int> done{0};
  auto drive = [&](Instance& at, SessionStatus final_status) {
    for (int i = 0; i < kSessions; ++i) {
      const std::string id = "m" + std::to_string(i);
      at.service.async_set_status("t", id, SessionStatus::fetched, [](TransitionResult) {});
      at.service.async_set_status("t", id, final_status, [&done](TransitionResult) { ++done; });
    }
  };
  std::thread ta([&] { drive(a, SessionStatus::completed); });
  std::thread tb([&] { drive(b, SessionStatus::failed); });
  ta.join();
  tb.join();
  REQUIRE(redis_test::eventually([&] { return done.load() == 2 * kSessions; }));
  for (int i = 0; i < kSessions; ++i) {
    const auto stored = a.store.get("t", "m" + std::to_string(i));
    REQUIRE(stored);
    for (Received* r : {on_a[i].get(), on_b[i].get()}) {
      REQUIRE(redis_test::eventually([&] {
        return !r->snapshot().empty() && r->snapshot().back()->version == stored->version;
      }));
      check_in_order(*r, stored->version);
      int terminal = 0;
      for (const auto& e : r->snapshot()) terminal += eudiplo_sse::is_terminal(e->status);
      CHECK(terminal == 1);
      CHECK(r->snapshot().back()->status == stored->status);
    }
  }
}

TEST_CASE("CLIENT KILL TYPE pubsub: the bus resubscribes and re-reads what it missed",
          "[redis][bus][reconnect]") {
  const int port = redis_test::fixture_port();
  const auto url = redis_test::url_for(port);
  RedisOptions o = options_for("killpubsub");
  Instance a(url, o);
  RedisOptions slow_reconnect = o;
  slow_reconnect.reconnect_min = milliseconds(500);  // a window to change things in
  Instance b(url, slow_reconnect);
  wait_subscribed(a);
  wait_subscribed(b);
  REQUIRE_FALSE(a.service.create("t", seconds(600), "k1").error);
  Received on_b;
  auto sub = follow(b, "t", "k1", on_b);
  eudiplo_sse::BusWatch watch(b.bus, "t", "k1");
  REQUIRE(on_b.size() == 1);

  redis_test::Cli cli(port);
  CHECK(std::stoi(cli.run("CLIENT KILL TYPE pubsub")) >= 2);
  REQUIRE(redis_test::eventually([&] { return !b.bus.subscribed(); }));
  // Published while B is not subscribed: only the re-read can bring it.
  REQUIRE(a.service.set_status("t", "k1", SessionStatus::fetched).changed);
  wait_subscribed(b, 2);
  REQUIRE(redis_test::eventually([&] { return on_b.size() == 2; }));
  CHECK(on_b.snapshot().back()->status == SessionStatus::fetched);
  CHECK(b.bus.resynced() >= 1);
  // And live delivery works again.
  REQUIRE(a.service.set_status("t", "k1", SessionStatus::completed).changed);
  REQUIRE(redis_test::eventually([&] { return on_b.size() == 3; }));
  check_in_order(on_b, 3);
}

TEST_CASE("CLIENT KILL TYPE normal: the store reconnects; calls fail fast or succeed",
          "[redis][store][reconnect]") {
  const int port = redis_test::fixture_port();
  const auto url = redis_test::url_for(port);
  RedisOptions o = options_for("killnormal");
  Instance a(url, o);
  Instance b(url, o);
  wait_subscribed(b);
  REQUIRE_FALSE(a.service.create("t", seconds(600), "n1").error);
  Received on_b;
  auto sub = follow(b, "t", "n1", on_b);
  REQUIRE(a.store.connects() == 1);

  redis_test::Cli cli(port);
  CHECK(std::stoi(cli.run("CLIENT KILL TYPE normal")) >= 2);
  // Whatever was in flight failed with store_unavailable; the next calls succeed
  // once the store has reconnected (within command_timeout they wait for it).
  TransitionResult r = a.service.set_status("t", "n1", SessionStatus::fetched);
  if (r.error) {
    CHECK(r.error == eudiplo_sse::error::store_unavailable);
    r = a.service.set_status("t", "n1", SessionStatus::fetched);
  }
  CHECK_FALSE(r.error);
  REQUIRE(redis_test::eventually([&] { return a.store.connects() >= 2; }));
  REQUIRE(a.service.set_status("t", "n1", SessionStatus::completed).changed);
  REQUIRE(redis_test::eventually([&] { return on_b.size() == 3; }));
  check_in_order(on_b, 3);
  CHECK(on_b.snapshot().back()->status == SessionStatus::completed);
}

TEST_CASE("Redis stopped: bounded store_unavailable; restarted from its AOF: all resumes",
          "[redis][reconnect][restart]") {
  const char* scratch = std::getenv("EUDIPLO_SSE_REDIS_SCRATCH");
  REQUIRE(scratch != nullptr);
  const std::string dir = std::string(scratch) + "/restart-" + std::to_string(::getpid());
  const std::string fixture = EUDIPLO_SSE_REDIS_FIXTURE;
  REQUIRE(std::system((fixture + " start " + dir).c_str()) == 0);
  const int port = redis_test::port_in(dir);
  RedisOptions o = options_for("restart");
  o.command_timeout = milliseconds(500);
  o.reconnect_max = milliseconds(200);
  {
    Instance a(redis_test::url_for(port), o);
    Instance b(redis_test::url_for(port), o);
    wait_subscribed(b);
    REQUIRE_FALSE(a.service.create("t", seconds(600), "x1").error);
    Received on_b;
    auto sub = follow(b, "t", "x1", on_b);
    eudiplo_sse::BusWatch watch(b.bus, "t", "x1");
    REQUIRE(on_b.size() == 1);

    REQUIRE(std::system((fixture + " stop " + dir).c_str()) == 0);
    REQUIRE(redis_test::eventually([&] { return !a.store.connected() && !b.bus.subscribed(); }));
    std::promise<std::error_code> set_result;
    a.service.async_set_status(
        "t", "x1", SessionStatus::fetched,
        [&set_result](TransitionResult r) { set_result.set_value(r.error); });
    auto set_future = set_result.get_future();
    REQUIRE(set_future.wait_for(seconds(3)) == std::future_status::ready);
    CHECK(set_future.get() == eudiplo_sse::error::store_unavailable);
    std::error_code get_ec;
    std::atomic<bool> got{false};
    a.service.async_get("t", "x1", [&](std::error_code e, std::optional<eudiplo_sse::Session>) {
      get_ec = e;
      got = true;
    });
    REQUIRE(redis_test::eventually([&] { return got.load(); }, seconds(3)));
    CHECK(get_ec == eudiplo_sse::error::store_unavailable);
    CHECK(on_b.size() == 1);  // the stream is untouched

    REQUIRE(std::system((fixture + " start " + dir + " " + std::to_string(port)).c_str()) == 0);
    wait_subscribed(b, 2);
    REQUIRE(redis_test::eventually([&] { return a.store.connected(); }));
    // After resubscribing, B re-read the session it follows (it may have missed changes).
    REQUIRE(redis_test::eventually([&] { return b.bus.resynced() >= 1; }));
    // The session survived the restart (AOF, fsync always).
    auto s = a.service.get("t", "x1");
    REQUIRE(s);
    CHECK(s->status == SessionStatus::active);
    REQUIRE(a.service.set_status("t", "x1", SessionStatus::completed).changed);
    REQUIRE(redis_test::eventually([&] { return on_b.size() == 2; }));
    check_in_order(on_b, 2);
    CHECK(on_b.snapshot().back()->status == SessionStatus::completed);
  }
  std::system((fixture + " stop " + dir).c_str());
}

TEST_CASE("BusPublishing::by_bus: a host's own store, changes PUBLISHed by the bus",
          "[redis][bus]") {
  const auto url = redis_test::url_for(redis_test::fixture_port());
  const RedisOptions o = options_for("bybus");
  // One store both instances share (standing in for a host's own database).
  eudiplo_sse::InMemorySessionStore shared;
  eudiplo_sse::StatusPublisher pa, pb;
  eudiplo_sse::redis::RedisStatusBus bus_a(url, o, pa, shared,
                                           eudiplo_sse::redis::BusPublishing::by_bus);
  eudiplo_sse::redis::RedisStatusBus bus_b(url, o, pb, shared,
                                           eudiplo_sse::redis::BusPublishing::by_bus);
  REQUIRE(redis_test::eventually([&] { return bus_b.subscriptions() >= 1; }));
  eudiplo_sse::SessionService a(shared, pa, bus_a);
  REQUIRE_FALSE(a.create("tenant with spaces", seconds(600), "h1").error);
  Received on_b;
  auto sub = pb.subscribe(
      "tenant with spaces", "h1", [&on_b](const eudiplo_sse::StatusEventPtr& e) { on_b.add(e); },
      [] { return eudiplo_sse::StatusEventPtr(); });
  Received other_tenant;
  auto sub2 = pb.subscribe(
      "tenant", "h1",
      [&other_tenant](const eudiplo_sse::StatusEventPtr& e) { other_tenant.add(e); },
      [] { return eudiplo_sse::StatusEventPtr(); });
  REQUIRE(a.set_status("tenant with spaces", "h1", SessionStatus::fetched).changed);
  REQUIRE(a.set_status("tenant with spaces", "h1", SessionStatus::completed).changed);
  REQUIRE(redis_test::eventually([&] { return on_b.size() == 2; }));
  check_in_order(on_b, 3);
  CHECK(on_b.snapshot().back()->status == SessionStatus::completed);
  CHECK(on_b.snapshot().back()->tenant == "tenant with spaces");
  std::this_thread::sleep_for(milliseconds(200));
  CHECK(on_b.size() == 2);
  CHECK(other_tenant.size() == 0);  // another tenant's session of the same id hears nothing
}
