// The per-tenant session cap (issue 11): SessionStore::create_capped as
// InMemorySessionStore implements it, the default every other store inherits, and
// SessionService's option and refusal counter.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/session_service.hpp"

using eudiplo_sse::error;
using eudiplo_sse::InMemorySessionStore;
using eudiplo_sse::Session;
using eudiplo_sse::SessionService;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;
using std::chrono::seconds;

namespace {

const TimePoint kT0{seconds(1893456000)};

Session live(const std::string& tenant, const std::string& id, seconds ttl = seconds(60)) {
  Session s;
  s.tenant = tenant;
  s.id = id;
  s.status = SessionStatus::active;
  s.version = 1;
  s.created_at = s.updated_at = kT0;
  s.expires_at = kT0 + ttl;
  return s;
}

// A host-written store that keeps the defaults of create_capped.
class PlainStore final : public eudiplo_sse::SessionStore {
 public:
  std::error_code create(const Session&) override {
    ++creates;
    return {};
  }
  std::optional<Session> get(std::string_view, std::string_view) override { return std::nullopt; }
  eudiplo_sse::TransitionResult transition(std::string_view, std::string_view, SessionStatus,
                                           TimePoint) override {
    return {};
  }
  std::vector<Session> expire_due(TimePoint) override { return {}; }
  int creates = 0;
};

}  // namespace

TEST_CASE("the cap refuses a tenant's sessions beyond it, per tenant", "[cap]") {
  InMemorySessionStore store;
  for (int i = 0; i < 3; ++i) {
    CHECK(store.create_capped(live("a", "s" + std::to_string(i)), 3) == std::error_code());
  }
  CHECK(store.create_capped(live("a", "s3"), 3) == error::tenant_session_limit);
  CHECK_FALSE(store.get("a", "s3"));  // refused means not stored
  CHECK(store.live_sessions("a") == 3);
  // Another tenant has its own count.
  CHECK(store.create_capped(live("b", "s0"), 3) == std::error_code());
  CHECK(store.live_sessions("b") == 1);
  // 0 is no cap; plain create() counts too.
  CHECK(store.create_capped(live("a", "s4"), 0) == std::error_code());
  CHECK(store.create(live("a", "s5")) == std::error_code());
  CHECK(store.live_sessions("a") == 5);
  CHECK(store.create_capped(live("a", "s6"), 5) == error::tenant_session_limit);
}

TEST_CASE("a session that ends gives its tenant's slot back", "[cap]") {
  InMemorySessionStore store;
  REQUIRE(store.create_capped(live("a", "done"), 2) == std::error_code());
  REQUIRE(store.create_capped(live("a", "old", seconds(10)), 2) == std::error_code());
  REQUIRE(store.create_capped(live("a", "x"), 2) == error::tenant_session_limit);

  // A terminal transition frees one; a non-terminal one does not.
  CHECK(store.transition("a", "done", SessionStatus::fetched, kT0).changed);
  CHECK(store.live_sessions("a") == 2);
  CHECK(store.transition("a", "done", SessionStatus::completed, kT0).changed);
  CHECK(store.live_sessions("a") == 1);
  // Repeating it changes nothing and gives nothing back twice.
  CHECK_FALSE(store.transition("a", "done", SessionStatus::completed, kT0).changed);
  CHECK(store.live_sessions("a") == 1);
  CHECK(store.create_capped(live("a", "x"), 2) == std::error_code());
  CHECK(store.create_capped(live("a", "y"), 2) == error::tenant_session_limit);

  // Expiry frees one, once (a later late transition changes nothing more).
  CHECK(store.expire_due(kT0 + seconds(11)).size() == 1);
  CHECK(store.live_sessions("a") == 1);
  CHECK(store.transition("a", "old", SessionStatus::failed, kT0 + seconds(12)).error ==
        error::session_terminal);
  CHECK(store.live_sessions("a") == 1);
  CHECK(store.create_capped(live("a", "y"), 2) == std::error_code());
}

TEST_CASE("a session found past its expiry by a transition frees its slot once", "[cap]") {
  InMemorySessionStore store;
  REQUIRE(store.create_capped(live("a", "late", seconds(5)), 1) == std::error_code());
  const auto r = store.transition("a", "late", SessionStatus::completed, kT0 + seconds(6));
  CHECK(r.changed);
  CHECK(r.session.status == SessionStatus::expired);
  CHECK(store.live_sessions("a") == 0);
  CHECK(store.expire_due(kT0 + seconds(7)).empty());
  CHECK(store.live_sessions("a") == 0);
}

TEST_CASE("a refused or failed insert takes no slot", "[cap]") {
  InMemorySessionStore store;
  REQUIRE(store.create_capped(live("a", "s1"), 2) == std::error_code());
  CHECK(store.create_capped(live("a", "s1"), 2) == error::session_exists);
  CHECK(store.create_capped(live("a", "bad/id"), 2) == error::invalid_session_id);
  CHECK(store.live_sessions("a") == 1);
  CHECK(store.create_capped(live("a", "s2"), 2) == std::error_code());
}

TEST_CASE("racing creates never exceed the cap", "[cap]") {
  InMemorySessionStore store;
  constexpr std::size_t cap = 50;
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const auto ec =
            store.create_capped(live("a", "t" + std::to_string(t) + "-" + std::to_string(i)), cap);
        if (!ec) ++created;
        if (ec == error::tenant_session_limit) ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(created.load() == static_cast<int>(cap));
  CHECK(refused.load() == 800 - static_cast<int>(cap));
  CHECK(store.live_sessions("a") == cap);
  CHECK(store.size() == cap);
}

TEST_CASE("a store without create_capped refuses a cap rather than ignore it", "[cap]") {
  PlainStore store;
  CHECK(store.create_capped(live("a", "s1"), 0) == std::error_code());
  CHECK(store.creates == 1);
  CHECK(store.create_capped(live("a", "s2"), 10) == error::session_limit_unsupported);
  std::error_code async_result;
  store.async_create_capped(live("a", "s3"), 10, [&](std::error_code ec) { async_result = ec; });
  CHECK(async_result == error::session_limit_unsupported);
  CHECK(store.creates == 1);
}

TEST_CASE("SessionService applies its per-tenant cap and counts refusals", "[cap]") {
  InMemorySessionStore store;
  StatusPublisher publisher;
  SessionService service(store, publisher, [] { return kT0; });
  CHECK(service.max_sessions_per_tenant() == 0);  // off unless asked for
  service.set_max_sessions_per_tenant(2);
  const auto a1 = service.create("a", seconds(60));
  REQUIRE_FALSE(a1.error);
  REQUIRE_FALSE(service.create("a", seconds(60)).error);
  CHECK(service.create("a", seconds(60)).error == error::tenant_session_limit);
  eudiplo_sse::CreateResult async_result;
  service.async_create("a", seconds(60), {},
                       [&](eudiplo_sse::CreateResult r) { async_result = std::move(r); });
  CHECK(async_result.error == error::tenant_session_limit);
  CHECK(service.tenant_cap_refusals() == 2);
  CHECK_FALSE(service.create("b", seconds(60)).error);
  // Completing one through the service frees its slot.
  REQUIRE(service.set_status("a", a1.session.id, SessionStatus::failed).changed);
  CHECK_FALSE(service.create("a", seconds(60)).error);
  CHECK(service.tenant_cap_refusals() == 2);
  CHECK(make_error_code(error::tenant_session_limit).message().find("tenant") != std::string::npos);
}
