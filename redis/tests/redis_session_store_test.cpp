// RedisSessionStore and its Lua scripts against the fixture's redis-server.
#include "eudiplo_sse/redis/redis_session_store.hpp"

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "catch.hpp"
#include "change_message.hpp"
#include "eudiplo_sse/error.hpp"
#include "io_thread.hpp"
#include "redis_connection.hpp"
#include "redis_test_support.hpp"

using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::TimePoint;
using eudiplo_sse::TransitionResult;
using eudiplo_sse::redis::RedisOptions;
using eudiplo_sse::redis::RedisSessionStore;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// In the future, so Redis TTLs (expiry + retention) lie ahead of the real clock.
const TimePoint kT0{milliseconds(1893456000000)};  // 2030-01-01T00:00:00Z

RedisOptions options_for(const std::string& name) {
  RedisOptions o;
  o.key_prefix = redis_test::unique_prefix(name);
  return o;
}

Session session(const std::string& tenant, const std::string& id, seconds ttl) {
  Session s;
  s.tenant = tenant;
  s.id = id;
  s.created_at = s.updated_at = kT0;
  s.expires_at = kT0 + ttl;
  return s;
}

// Every message on a change channel, via a real subscriber connection.
struct ChannelLog {
  ChannelLog(int port, const std::string& channel)
      : c(std::make_shared<eudiplo_sse::redis::detail::RedisConnection>(
            io.io(), redis_test::url_for(port), RedisOptions{})) {
    c->subscribe(
        channel,
        [this](std::string_view m) {
          std::lock_guard<std::mutex> lock(mutex);
          messages.emplace_back(m);
        },
        [this] { ++subscribed; });
    c->start();
    REQUIRE(redis_test::eventually([this] { return subscribed.load() > 0; }));
  }
  ~ChannelLog() {
    io.stop([c = c] { c->stop(); });
  }
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return messages;
  }
  eudiplo_sse::redis::detail::IoThread io;
  std::shared_ptr<eudiplo_sse::redis::detail::RedisConnection> c;
  std::mutex mutex;
  std::vector<std::string> messages;
  std::atomic<int> subscribed{0};
};

}  // namespace

TEST_CASE("create, get and tenant isolation", "[redis][store]") {
  const int port = redis_test::fixture_port();
  RedisOptions o = options_for("store");
  RedisSessionStore store(redis_test::url_for(port), o);
  CHECK(store.create(session("tenant-a", "s1", seconds(60))) == std::error_code());
  CHECK(store.create(session("tenant-a", "s1", seconds(60))) == eudiplo_sse::error::session_exists);
  CHECK(store.create(session("tenant-a", "bad/id", seconds(60))) ==
        eudiplo_sse::error::invalid_session_id);
  // Same id, other tenant: a separate session.
  CHECK(store.create(session("tenant b:with spaces", "s1", seconds(30))) == std::error_code());

  auto got = store.get("tenant-a", "s1");
  REQUIRE(got);
  CHECK(got->tenant == "tenant-a");
  CHECK(got->status == SessionStatus::active);
  CHECK(got->version == 1);
  CHECK(got->created_at == kT0);
  CHECK(got->expires_at == kT0 + seconds(60));
  auto other = store.get("tenant b:with spaces", "s1");
  REQUIRE(other);
  CHECK(other->expires_at == kT0 + seconds(30));
  CHECK_FALSE(store.get("tenant-c", "s1"));
  CHECK_FALSE(store.get("tenant-a", "s2"));
  CHECK_FALSE(store.get("tenant-a", "bad id"));
  CHECK(store.transition("tenant-c", "s1", SessionStatus::failed, kT0).error ==
        eudiplo_sse::error::session_not_found);

  // The hash lives `retention` past its expiry; the due set holds it by expiry.
  redis_test::Cli cli(port);
  const std::string key = o.key_prefix + "s:s1:tenant-a";
  CHECK(cli.run("HGET " + key + " s") == "active");
  CHECK(cli.run("PEXPIRETIME " + key) ==
        std::to_string(1893456000000 + 60000 + o.retention.count() * 1000));
  CHECK(cli.run("ZSCORE " + o.key_prefix + "due " + key) == std::to_string(1893456060000));
}

TEST_CASE("the transition script applies the status rules and bumps the version",
          "[redis][store][lua]") {
  const int port = redis_test::fixture_port();
  RedisOptions o = options_for("rules");
  RedisSessionStore store(redis_test::url_for(port), o);
  ChannelLog log(port, store.change_channel());
  REQUIRE_FALSE(store.create(session("t", "s", seconds(60))));

  auto r = store.transition("t", "s", SessionStatus::fetched, kT0 + seconds(1));
  CHECK_FALSE(r.error);
  CHECK(r.changed);
  CHECK(r.session.version == 2);
  CHECK(r.session.updated_at == kT0 + seconds(1));

  r = store.transition("t", "s", SessionStatus::fetched, kT0 + seconds(2));  // no-op
  CHECK_FALSE(r.error);
  CHECK_FALSE(r.changed);
  CHECK(r.session.version == 2);

  r = store.transition("t", "s", SessionStatus::active, kT0 + seconds(2));
  CHECK(r.error == eudiplo_sse::error::invalid_transition);
  CHECK_FALSE(r.changed);

  r = store.transition("t", "s", SessionStatus::completed, kT0 + seconds(3));
  CHECK_FALSE(r.error);
  CHECK(r.changed);
  CHECK(r.session.version == 3);

  r = store.transition("t", "s", SessionStatus::failed, kT0 + seconds(4));
  CHECK(r.error == eudiplo_sse::error::session_terminal);
  CHECK_FALSE(r.changed);
  CHECK(r.session.status == SessionStatus::completed);

  // A terminal session leaves the due set.
  redis_test::Cli cli(port);
  CHECK(cli.run("ZCARD " + o.key_prefix + "due") == "0");

  // Past its expiry, any change first expires it.
  REQUIRE_FALSE(store.create(session("t", "late", seconds(5))));
  r = store.transition("t", "late", SessionStatus::completed, kT0 + seconds(5));
  CHECK(r.error == eudiplo_sse::error::session_terminal);
  CHECK(r.changed);
  CHECK(r.session.status == SessionStatus::expired);
  CHECK(r.session.version == 2);

  // Each change was published once, by the script, in commit order.
  REQUIRE(redis_test::eventually([&] { return log.snapshot().size() == 3; }));
  const auto m = log.snapshot();
  CHECK(m[0] == "2 fetched 1893456001000 s t");
  CHECK(m[1] == "3 completed 1893456003000 s t");
  CHECK(m[2] == "2 expired 1893456005000 late t");
  auto parsed = eudiplo_sse::redis::detail::parse_change(m[1]);
  REQUIRE(parsed);
  CHECK(parsed->status == SessionStatus::completed);
  CHECK(parsed->version == 3);
  CHECK(parsed->tenant == "t");
}

TEST_CASE("racing completed and failed from two stores: one winner, one event each",
          "[redis][store][lua][race]") {
  const int port = redis_test::fixture_port();
  RedisOptions o = options_for("race");
  RedisSessionStore a(redis_test::url_for(port), o);
  RedisSessionStore b(redis_test::url_for(port), o);
  ChannelLog log(port, a.change_channel());
  constexpr int kSessions = 300;
  for (int i = 0; i < kSessions; ++i) {
    REQUIRE_FALSE(a.create(session("t", "r" + std::to_string(i), seconds(600))));
  }
  std::mutex mutex;
  std::vector<TransitionResult> results;
  std::atomic<int> done{0};
  auto record = [&](TransitionResult r) {
    std::lock_guard<std::mutex> lock(mutex);
    results.push_back(std::move(r));
    ++done;
  };
  std::thread ta([&] {
    for (int i = 0; i < kSessions; ++i) {
      a.async_transition("t", "r" + std::to_string(i), SessionStatus::completed, kT0, record);
    }
  });
  std::thread tb([&] {
    for (int i = 0; i < kSessions; ++i) {
      b.async_transition("t", "r" + std::to_string(i), SessionStatus::failed, kT0, record);
    }
  });
  ta.join();
  tb.join();
  REQUIRE(redis_test::eventually([&] { return done.load() == 2 * kSessions; }));

  std::map<std::string, int> winners;
  std::map<std::string, SessionStatus> winning_status;
  for (const auto& r : results) {
    if (r.changed) {
      CHECK_FALSE(r.error);
      ++winners[r.session.id];
      winning_status[r.session.id] = r.session.status;
      CHECK(r.session.version == 2);
    } else {
      CHECK(r.error == eudiplo_sse::error::session_terminal);
    }
  }
  CHECK(winners.size() == kSessions);
  for (const auto& w : winners) CHECK(w.second == 1);
  // One event per session, naming the status the store holds.
  REQUIRE(redis_test::eventually([&] { return log.snapshot().size() >= kSessions; }));
  std::this_thread::sleep_for(milliseconds(200));  // room for a wrong extra message
  const auto m = log.snapshot();
  CHECK(m.size() == kSessions);
  for (const auto& msg : m) {
    auto e = eudiplo_sse::redis::detail::parse_change(msg);
    REQUIRE(e);
    CHECK(e->status == winning_status[std::string(e->session_id)]);
    CHECK(a.get("t", e->session_id)->status == e->status);
  }
}

TEST_CASE("expiry by two stores: each due session expired exactly once",
          "[redis][store][lua][expiry]") {
  const int port = redis_test::fixture_port();
  RedisOptions o = options_for("expiry");
  o.expire_batch = 50;  // several script runs per sweep, interleaving the stores
  RedisSessionStore a(redis_test::url_for(port), o);
  RedisSessionStore b(redis_test::url_for(port), o);
  ChannelLog log(port, a.change_channel());
  constexpr int kDue = 400;
  for (int i = 0; i < kDue; ++i) {
    REQUIRE_FALSE(a.create(session("t", "e" + std::to_string(i), seconds(10))));
  }
  REQUIRE_FALSE(a.create(session("t", "later", seconds(100))));
  REQUIRE_FALSE(a.create(session("t", "done", seconds(10))));
  REQUIRE(a.transition("t", "done", SessionStatus::completed, kT0).changed);

  std::vector<Session> by_a, by_b;
  auto sweep = [](RedisSessionStore& s, std::vector<Session>& out) {
    for (;;) {
      auto batch = s.expire_due(kT0 + seconds(10));
      if (batch.empty()) return;
      out.insert(out.end(), batch.begin(), batch.end());
    }
  };
  std::thread ta([&] { sweep(a, by_a); });
  std::thread tb([&] { sweep(b, by_b); });
  ta.join();
  tb.join();

  std::multiset<std::string> ids;
  for (const auto& s : by_a) ids.insert(s.id);
  for (const auto& s : by_b) ids.insert(s.id);
  CHECK(ids.size() == kDue);
  std::set<std::string> unique(ids.begin(), ids.end());
  CHECK(unique.size() == kDue);
  CHECK(unique.count("later") == 0);
  CHECK(unique.count("done") == 0);
  for (const auto& s : by_a) CHECK(s.status == SessionStatus::expired);
  CHECK(a.get("t", "e7")->status == SessionStatus::expired);
  CHECK(a.get("t", "e7")->version == 2);
  CHECK(a.get("t", "later")->status == SessionStatus::active);

  REQUIRE(redis_test::eventually([&] { return log.snapshot().size() >= kDue + 1; }));
  std::this_thread::sleep_for(milliseconds(200));
  // kDue expiries and the one completion: nothing published twice.
  CHECK(log.snapshot().size() == kDue + 1);
}
