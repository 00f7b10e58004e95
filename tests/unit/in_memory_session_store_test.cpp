#include "eudiplo_sse/in_memory_session_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/iso8601.hpp"

using eudiplo_sse::InMemorySessionStore;
using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::TimePoint;
using std::chrono::seconds;

namespace {

const TimePoint kT0 = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");

Session make_session(std::string id, std::string tenant = "tenant-a", seconds ttl = seconds(300),
                     TimePoint created = kT0) {
  Session s;
  s.id = std::move(id);
  s.tenant = std::move(tenant);
  s.status = SessionStatus::active;
  s.version = 1;
  s.created_at = created;
  s.updated_at = created;
  s.expires_at = created + ttl;
  return s;
}

void require_same(const Session& a, const Session& b) {
  CHECK(a.id == b.id);
  CHECK(a.tenant == b.tenant);
  CHECK(a.status == b.status);
  CHECK(a.version == b.version);
  CHECK(a.created_at == b.created_at);
  CHECK(a.updated_at == b.updated_at);
  CHECK(a.expires_at == b.expires_at);
}

std::vector<std::string> ids_of(std::vector<Session> v) {
  std::vector<std::string> ids;
  for (auto& s : v) ids.push_back(s.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_CASE("create then get returns the stored session", "[store]") {
  InMemorySessionStore store;
  CHECK(store.size() == 0);
  const Session s = make_session("s1");
  REQUIRE_FALSE(store.create(s));
  CHECK(store.size() == 1);
  auto got = store.get("tenant-a", "s1");
  REQUIRE(got);
  require_same(*got, s);
  CHECK_FALSE(store.get("tenant-a", "s2"));
}

TEST_CASE("reads and writes are scoped by tenant", "[store]") {
  InMemorySessionStore store;
  REQUIRE_FALSE(store.create(make_session("s1", "tenant-a")));
  CHECK_FALSE(store.get("tenant-b", "s1"));
  CHECK_FALSE(store.get("", "s1"));

  auto r = store.transition("tenant-b", "s1", SessionStatus::completed, kT0 + seconds(1));
  CHECK(r.error == eudiplo_sse::error::session_not_found);
  CHECK_FALSE(r.changed);
  auto still = store.get("tenant-a", "s1");
  REQUIRE(still);
  CHECK(still->status == SessionStatus::active);
  CHECK(still->version == 1);
}

TEST_CASE("the same id in two tenants never leaks across them", "[store]") {
  InMemorySessionStore store;
  REQUIRE_FALSE(store.create(make_session("shared", "tenant-a")));
  auto ec = store.create(make_session("shared", "tenant-b"));
  // Either answer is acceptable; what is not is one tenant seeing the other's.
  if (!ec) {
    REQUIRE(store.transition("tenant-b", "shared", SessionStatus::failed, kT0).changed);
    CHECK(store.get("tenant-a", "shared")->status == SessionStatus::active);
    CHECK(store.get("tenant-b", "shared")->tenant == "tenant-b");
  } else {
    CHECK(ec == eudiplo_sse::error::session_exists);
    CHECK_FALSE(store.get("tenant-b", "shared"));
  }
  CHECK(store.get("tenant-a", "shared")->tenant == "tenant-a");
}

TEST_CASE("create refuses duplicates and invalid ids", "[store]") {
  InMemorySessionStore store;
  REQUIRE_FALSE(store.create(make_session("dup")));
  Session again = make_session("dup");
  again.expires_at += seconds(999);
  CHECK(store.create(again) == eudiplo_sse::error::session_exists);
  CHECK(store.get("tenant-a", "dup")->expires_at == kT0 + seconds(300));
  CHECK(store.size() == 1);

  for (const std::string& bad : {std::string(), std::string(129, 'x'), std::string("a/b"),
                                 std::string("a b"), std::string("a\nb")}) {
    CHECK(store.create(make_session(bad)) == eudiplo_sse::error::invalid_session_id);
  }
  CHECK(store.size() == 1);
}

TEST_CASE("transitions are compare-and-set with versions", "[store]") {
  InMemorySessionStore store;
  REQUIRE_FALSE(store.create(make_session("s1")));

  SECTION("allowed changes bump the version and updated_at") {
    auto r = store.transition("tenant-a", "s1", SessionStatus::fetched, kT0 + seconds(5));
    CHECK_FALSE(r.error);
    CHECK(r.changed);
    CHECK(r.session.status == SessionStatus::fetched);
    CHECK(r.session.version == 2);
    CHECK(r.session.updated_at == kT0 + seconds(5));
    CHECK(r.session.created_at == kT0);
    CHECK(r.session.tenant == "tenant-a");
    require_same(*store.get("tenant-a", "s1"), r.session);

    r = store.transition("tenant-a", "s1", SessionStatus::completed, kT0 + seconds(6));
    CHECK_FALSE(r.error);
    CHECK(r.changed);
    CHECK(r.session.version == 3);
    CHECK(r.session.status == SessionStatus::completed);
  }

  SECTION("the same status is a no-op: no error, no change, no version bump") {
    auto r = store.transition("tenant-a", "s1", SessionStatus::active, kT0 + seconds(5));
    CHECK_FALSE(r.error);
    CHECK_FALSE(r.changed);
    CHECK(r.session.version == 1);
    CHECK(r.session.updated_at == kT0);

    REQUIRE(store.transition("tenant-a", "s1", SessionStatus::fetched, kT0 + seconds(6)).changed);
    r = store.transition("tenant-a", "s1", SessionStatus::fetched, kT0 + seconds(7));
    CHECK_FALSE(r.error);
    CHECK_FALSE(r.changed);
    CHECK(r.session.version == 2);
    CHECK(store.get("tenant-a", "s1")->updated_at == kT0 + seconds(6));
  }

  SECTION("going back is refused as an invalid transition") {
    REQUIRE(store.transition("tenant-a", "s1", SessionStatus::fetched, kT0).changed);
    auto r = store.transition("tenant-a", "s1", SessionStatus::active, kT0 + seconds(1));
    CHECK(r.error == eudiplo_sse::error::invalid_transition);
    CHECK_FALSE(r.changed);
    CHECK(r.session.status == SessionStatus::fetched);
    CHECK(store.get("tenant-a", "s1")->version == 2);
  }

  SECTION("a terminal status is final") {
    for (auto terminal :
         {SessionStatus::completed, SessionStatus::failed, SessionStatus::expired}) {
      const std::string id = "t-" + std::string(eudiplo_sse::to_string(terminal));
      REQUIRE_FALSE(store.create(make_session(id)));
      auto r = store.transition("tenant-a", id, terminal, kT0 + seconds(1));
      REQUIRE_FALSE(r.error);
      REQUIRE(r.changed);
      for (auto to : {SessionStatus::active, SessionStatus::fetched, SessionStatus::completed,
                      SessionStatus::failed, SessionStatus::expired}) {
        INFO(eudiplo_sse::to_string(terminal) << " -> " << eudiplo_sse::to_string(to));
        auto late = store.transition("tenant-a", id, to, kT0 + seconds(2));
        CHECK_FALSE(late.changed);
        if (to != terminal) CHECK(late.error == eudiplo_sse::error::session_terminal);
        CHECK(late.session.status == terminal);
        CHECK(late.session.version == 2);
      }
      CHECK(store.get("tenant-a", id)->status == terminal);
      CHECK(store.get("tenant-a", id)->version == 2);
    }
  }

  SECTION("unknown sessions are not found") {
    auto r = store.transition("tenant-a", "nope", SessionStatus::fetched, kT0);
    CHECK(r.error == eudiplo_sse::error::session_not_found);
    CHECK_FALSE(r.changed);
  }
}

TEST_CASE("a transition found past expiry expires the session first", "[store]") {
  InMemorySessionStore store;
  REQUIRE_FALSE(store.create(make_session("late", "tenant-a", seconds(60))));
  auto r = store.transition("tenant-a", "late", SessionStatus::completed, kT0 + seconds(61));
  CHECK(r.error == eudiplo_sse::error::session_terminal);
  CHECK(r.changed);
  CHECK(r.session.status == SessionStatus::expired);
  CHECK(r.session.version == 2);
  auto got = store.get("tenant-a", "late");
  REQUIRE(got);
  CHECK(got->status == SessionStatus::expired);
  CHECK(got->version == 2);

  // Already expired: nothing changes any more.
  auto again = store.transition("tenant-a", "late", SessionStatus::failed, kT0 + seconds(62));
  CHECK(again.error == eudiplo_sse::error::session_terminal);
  CHECK_FALSE(again.changed);
  CHECK(store.expire_due(kT0 + seconds(63)).empty());
}

TEST_CASE("expire_due expires exactly the due, non-terminal sessions", "[store]") {
  InMemorySessionStore store;
  REQUIRE_FALSE(store.create(make_session("past", "tenant-a", seconds(10))));
  REQUIRE_FALSE(store.create(make_session("now", "tenant-b", seconds(20))));
  REQUIRE_FALSE(store.create(make_session("future", "tenant-a", seconds(30))));
  REQUIRE_FALSE(store.create(make_session("fetched", "tenant-a", seconds(5))));
  REQUIRE_FALSE(store.create(make_session("done", "tenant-a", seconds(5))));
  REQUIRE(
      store.transition("tenant-a", "fetched", SessionStatus::fetched, kT0 + seconds(1)).changed);
  REQUIRE(store.transition("tenant-a", "done", SessionStatus::completed, kT0 + seconds(1)).changed);

  CHECK(store.expire_due(kT0 + seconds(4)).empty());

  auto due = store.expire_due(kT0 + seconds(20));
  CHECK(ids_of(due) == std::vector<std::string>{"fetched", "now", "past"});
  for (const auto& s : due) {
    INFO(s.id);
    CHECK(s.status == SessionStatus::expired);
    CHECK(s.version == (s.id == "fetched" ? 3u : 2u));
    auto stored = store.get(s.tenant, s.id);
    REQUIRE(stored);
    CHECK(stored->status == SessionStatus::expired);
    CHECK(stored->version == s.version);
  }
  CHECK(store.get("tenant-a", "future")->status == SessionStatus::active);
  CHECK(store.get("tenant-a", "done")->status == SessionStatus::completed);
  CHECK(store.get("tenant-a", "done")->version == 2);

  CHECK(store.expire_due(kT0 + seconds(20)).empty());
  CHECK(ids_of(store.expire_due(kT0 + seconds(31))) == std::vector<std::string>{"future"});
  CHECK(store.expire_due(kT0 + seconds(100)).empty());
}

TEST_CASE("sessions are dropped `retention` after their expiry time", "[store]") {
  eudiplo_sse::InMemorySessionStoreOptions options;
  options.retention = seconds(100);
  InMemorySessionStore store(options);
  REQUIRE_FALSE(store.create(make_session("a", "tenant-a", seconds(10))));
  REQUIRE_FALSE(store.create(make_session("b", "tenant-a", seconds(10))));
  REQUIRE_FALSE(store.create(make_session("keep", "tenant-a", seconds(1000))));
  REQUIRE(store.transition("tenant-a", "b", SessionStatus::completed, kT0 + seconds(1)).changed);

  CHECK(store.expire_due(kT0 + seconds(11)).size() == 1);
  CHECK(store.get("tenant-a", "a"));
  CHECK(store.get("tenant-a", "b"));
  store.expire_due(kT0 + seconds(50));
  CHECK(store.get("tenant-a", "a"));

  store.expire_due(kT0 + seconds(111));
  CHECK_FALSE(store.get("tenant-a", "a"));
  CHECK_FALSE(store.get("tenant-a", "b"));
  CHECK(store.get("tenant-a", "keep"));
  CHECK(store.size() == 1);
}

TEST_CASE("racing terminal transitions on one session: exactly one wins", "[store][threads]") {
  InMemorySessionStore store;
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "race-" + std::to_string(round);
    REQUIRE_FALSE(store.create(make_session(id)));
    std::atomic<int> ready{0};
    std::vector<eudiplo_sse::TransitionResult> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const SessionStatus to = t % 3 == 0   ? SessionStatus::completed
                                 : t % 3 == 1 ? SessionStatus::failed
                                              : SessionStatus::fetched;
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        results[t] = store.transition("tenant-a", id, to, kT0 + seconds(1));
      });
    }
    for (auto& th : threads) th.join();

    int terminal_wins = 0;
    SessionStatus winner = SessionStatus::active;
    std::uint64_t changes = 0;
    for (const auto& r : results) {
      if (r.changed) {
        ++changes;
        if (eudiplo_sse::is_terminal(r.session.status)) {
          ++terminal_wins;
          winner = r.session.status;
        }
      }
    }
    INFO("round " << round);
    REQUIRE(terminal_wins == 1);
    auto final_state = store.get("tenant-a", id);
    REQUIRE(final_state);
    CHECK(final_state->status == winner);
    // One terminal change, possibly preceded by one change to fetched.
    CHECK(final_state->version == 1 + changes);
    CHECK(changes <= 2);
  }
}

TEST_CASE("transitions on distinct sessions from many threads", "[store][threads]") {
  InMemorySessionStore store;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string tenant = "tenant-" + std::to_string(t % 2);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "s-" + std::to_string(t) + "-" + std::to_string(i);
        if (store.create(make_session(id, tenant))) failures.fetch_add(1);
        if (!store.transition(tenant, id, SessionStatus::fetched, kT0).changed)
          failures.fetch_add(1);
        if (!store.get(tenant, id)) failures.fetch_add(1);
        if (!store.transition(tenant, id, SessionStatus::completed, kT0).changed)
          failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  CHECK(store.size() == kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; i += 97) {
      auto s = store.get("tenant-" + std::to_string(t % 2),
                         "s-" + std::to_string(t) + "-" + std::to_string(i));
      REQUIRE(s);
      CHECK(s->status == SessionStatus::completed);
      CHECK(s->version == 3);
    }
  }
}

TEST_CASE("count_by_status counts every stored session once", "[store]") {
  InMemorySessionStore store;
  auto counts = store.count_by_status();
  for (auto c : counts) CHECK(c == 0);

  for (int i = 0; i < 10; ++i) REQUIRE_FALSE(store.create(make_session("c" + std::to_string(i))));
  REQUIRE_FALSE(store.create(make_session("other-tenant", "tenant-b", seconds(5))));
  REQUIRE(store.transition("tenant-a", "c0", SessionStatus::fetched, kT0).changed);
  REQUIRE(store.transition("tenant-a", "c1", SessionStatus::fetched, kT0).changed);
  REQUIRE(store.transition("tenant-a", "c2", SessionStatus::completed, kT0).changed);
  REQUIRE(store.transition("tenant-a", "c3", SessionStatus::failed, kT0).changed);
  REQUIRE(store.expire_due(kT0 + seconds(6)).size() == 1);

  counts = store.count_by_status();
  auto at = [&](SessionStatus s) { return counts[static_cast<std::size_t>(s)]; };
  CHECK(at(SessionStatus::active) == 6);
  CHECK(at(SessionStatus::fetched) == 2);
  CHECK(at(SessionStatus::completed) == 1);
  CHECK(at(SessionStatus::failed) == 1);
  CHECK(at(SessionStatus::expired) == 1);
  CHECK(counts.size() == eudiplo_sse::session_status_count);
}
