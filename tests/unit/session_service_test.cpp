#include "eudiplo_sse/session_service.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/iso8601.hpp"

using eudiplo_sse::InMemorySessionStore;
using eudiplo_sse::SessionService;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;
using std::chrono::seconds;

namespace {

// A clock the test moves by hand.
class ManualClock {
 public:
  explicit ManualClock(TimePoint start) : ns_(start.time_since_epoch().count()) {}
  TimePoint now() const { return TimePoint(TimePoint::duration(ns_.load())); }
  void advance(TimePoint::duration d) { ns_.fetch_add(d.count()); }
  eudiplo_sse::ClockFn fn() {
    return [this] { return now(); };
  }

 private:
  std::atomic<TimePoint::rep> ns_;
};

const TimePoint kT0 = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");

bool is_uuid_v4(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

struct Fixture {
  ManualClock clock{kT0};
  InMemorySessionStore store;
  StatusPublisher publisher;
  SessionService service{store, publisher, clock.fn()};

  // Subscribes the way a route does: the loader reads the store.
  StatusPublisher::Subscription watch(const std::string& tenant, const std::string& id,
                                      std::vector<StatusEventPtr>& out) {
    return publisher.subscribe(
        tenant, id, [&out](const StatusEventPtr& e) { out.push_back(e); },
        [this, tenant, id]() -> StatusEventPtr {
          auto s = service.get(tenant, id);
          return s ? eudiplo_sse::make_status_event(*s) : nullptr;
        });
  }
};

}  // namespace

TEST_CASE("random_uuid gives distinct lower-case v4 UUIDs", "[service]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = eudiplo_sse::random_uuid();
    INFO(u);
    REQUIRE(is_uuid_v4(u));
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("create without an id makes an active session with a random UUID", "[service]") {
  Fixture f;
  auto r = f.service.create("tenant-a", seconds(300));
  REQUIRE_FALSE(r.error);
  INFO(r.session.id);
  CHECK(is_uuid_v4(r.session.id));
  CHECK(eudiplo_sse::is_valid_session_id(r.session.id));
  CHECK(r.session.tenant == "tenant-a");
  CHECK(r.session.status == SessionStatus::active);
  CHECK(r.session.version == 1);
  CHECK(r.session.created_at == kT0);
  CHECK(r.session.updated_at == kT0);
  CHECK(r.session.expires_at == kT0 + seconds(300));

  auto got = f.service.get("tenant-a", r.session.id);
  REQUIRE(got);
  CHECK(got->version == 1);
  CHECK_FALSE(f.service.get("tenant-b", r.session.id));
  CHECK(f.service.now() == kT0);
  CHECK(&f.service.store() == &f.store);
  CHECK(&f.service.publisher() == &f.publisher);

  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.insert(f.service.create("tenant-a", seconds(60)).session.id);
  CHECK(ids.size() == 200);
}

TEST_CASE("create with an id uses it and refuses duplicates and bad ids", "[service]") {
  Fixture f;
  auto r = f.service.create("tenant-a", seconds(60), "my-session.1");
  REQUIRE_FALSE(r.error);
  CHECK(r.session.id == "my-session.1");
  CHECK(f.service.create("tenant-a", seconds(60), "my-session.1").error ==
        eudiplo_sse::error::session_exists);
  CHECK(f.service.create("tenant-a", seconds(60), "bad/id").error ==
        eudiplo_sse::error::invalid_session_id);
  CHECK(f.service.create("tenant-a", seconds(60), std::string(129, 'a')).error ==
        eudiplo_sse::error::invalid_session_id);
  CHECK(f.store.size() == 1);
}

TEST_CASE("set_status publishes every committed change and nothing else", "[service]") {
  Fixture f;
  const std::string id = f.service.create("tenant-a", seconds(300)).session.id;
  std::vector<StatusEventPtr> seen, other_tenant;
  auto sub = f.watch("tenant-a", id, seen);
  auto other = f.watch("tenant-b", id, other_tenant);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0]->version == 1);
  CHECK(seen[0]->status == SessionStatus::active);

  f.clock.advance(seconds(5));
  auto r = f.service.set_status("tenant-a", id, SessionStatus::fetched);
  CHECK_FALSE(r.error);
  CHECK(r.changed);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1]->version == 2);
  CHECK(seen[1]->status == SessionStatus::fetched);
  CHECK(seen[1]->updated_at == kT0 + seconds(5));
  CHECK(seen[1]->session_id == id);
  CHECK(seen[1]->tenant == "tenant-a");

  r = f.service.set_status("tenant-a", id, SessionStatus::fetched);  // no-op
  CHECK_FALSE(r.error);
  CHECK_FALSE(r.changed);
  r = f.service.set_status("tenant-a", id, SessionStatus::active);  // refused
  CHECK(r.error == eudiplo_sse::error::invalid_transition);
  r = f.service.set_status("tenant-b", id, SessionStatus::failed);  // not theirs
  CHECK(r.error == eudiplo_sse::error::session_not_found);
  CHECK(seen.size() == 2);

  r = f.service.set_status("tenant-a", id, SessionStatus::completed);
  CHECK(r.changed);
  REQUIRE(seen.size() == 3);
  CHECK(seen[2]->version == 3);
  CHECK(seen[2]->status == SessionStatus::completed);

  r = f.service.set_status("tenant-a", id, SessionStatus::failed);  // terminal is final
  CHECK(r.error == eudiplo_sse::error::session_terminal);
  CHECK(seen.size() == 3);
  CHECK(other_tenant.empty());
}

TEST_CASE("expire_due expires by the injected clock and publishes expired", "[service]") {
  Fixture f;
  const std::string short_id = f.service.create("tenant-a", seconds(60)).session.id;
  const std::string long_id = f.service.create("tenant-a", seconds(600)).session.id;
  std::vector<StatusEventPtr> short_seen, long_seen;
  auto a = f.watch("tenant-a", short_id, short_seen);
  auto b = f.watch("tenant-a", long_id, long_seen);

  f.clock.advance(seconds(59));
  CHECK(f.service.expire_due() == 0);
  CHECK(short_seen.size() == 1);

  f.clock.advance(seconds(2));
  CHECK(f.service.expire_due() == 1);
  REQUIRE(short_seen.size() == 2);
  CHECK(short_seen[1]->status == SessionStatus::expired);
  CHECK(short_seen[1]->version == 2);
  CHECK(long_seen.size() == 1);
  CHECK(f.service.get("tenant-a", short_id)->status == SessionStatus::expired);

  CHECK(f.service.expire_due() == 0);
  CHECK(short_seen.size() == 2);

  // A late change is refused: expired is final.
  auto late = f.service.set_status("tenant-a", short_id, SessionStatus::completed);
  CHECK(late.error == eudiplo_sse::error::session_terminal);
  CHECK(short_seen.size() == 2);
}

TEST_CASE("a change attempted past expiry publishes the expiry it causes", "[service]") {
  Fixture f;
  const std::string id = f.service.create("tenant-a", seconds(60)).session.id;
  std::vector<StatusEventPtr> seen;
  auto sub = f.watch("tenant-a", id, seen);
  f.clock.advance(seconds(61));  // no expire_due() sweep yet
  auto r = f.service.set_status("tenant-a", id, SessionStatus::completed);
  CHECK(r.error == eudiplo_sse::error::session_terminal);
  CHECK(r.changed);
  CHECK(r.session.status == SessionStatus::expired);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1]->status == SessionStatus::expired);
  CHECK(seen[1]->version == 2);
  CHECK(f.service.expire_due() == 0);
}
