// The per-tenant session cap in Redis: counted and inserted in one script, so
// instances sharing the Redis share the cap, and a race never overshoots it.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/redis/redis_session_store.hpp"
#include "redis_test_support.hpp"

using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::TimePoint;
using eudiplo_sse::redis::RedisOptions;
using eudiplo_sse::redis::RedisSessionStore;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const TimePoint kT0{milliseconds(1893456000000)};  // 2030-01-01: Redis TTLs lie ahead

Session session(const std::string& tenant, const std::string& id, seconds ttl,
                TimePoint created = kT0) {
  Session s;
  s.tenant = tenant;
  s.id = id;
  s.created_at = s.updated_at = created;
  s.expires_at = created + ttl;
  return s;
}

}  // namespace

TEST_CASE("two stores on one Redis share each tenant's cap", "[redis][cap]") {
  const int port = redis_test::fixture_port();
  RedisOptions o;
  o.key_prefix = redis_test::unique_prefix("cap");
  RedisSessionStore a(redis_test::url_for(port), o);
  RedisSessionStore b(redis_test::url_for(port), o);
  const auto ok = std::error_code();
  CHECK(a.create_capped(session("t", "s1", seconds(60)), 3) == ok);
  CHECK(b.create_capped(session("t", "s2", seconds(60)), 3) == ok);
  CHECK(a.create_capped(session("t", "s3", seconds(10)), 3) == ok);
  CHECK(b.create_capped(session("t", "s4", seconds(60)), 3) ==
        eudiplo_sse::error::tenant_session_limit);
  CHECK_FALSE(a.get("t", "s4"));
  // Another tenant, and a plain create() that is counted but never refused.
  CHECK(b.create_capped(session("u", "s1", seconds(60)), 3) == ok);
  CHECK(a.create(session("t", "s5", seconds(60))) == ok);
  CHECK(a.create_capped(session("t", "s6", seconds(60)), 4) ==
        eudiplo_sse::error::tenant_session_limit);

  // A terminal transition through either store frees a slot (s5 took the 4th).
  CHECK(b.transition("t", "s1", SessionStatus::completed, kT0).changed);
  CHECK(a.create_capped(session("t", "s6", seconds(60)), 4) == ok);
  CHECK(a.create_capped(session("t", "s7", seconds(60)), 4) ==
        eudiplo_sse::error::tenant_session_limit);
  // A session past its expiry stops counting (s3 ended at kT0 + 10 s), swept or not.
  CHECK(a.create_capped(session("t", "s7", seconds(60), kT0 + seconds(11)), 4) == ok);

  redis_test::Cli cli(port);
  CHECK(cli.run("ZCARD " + o.key_prefix + "live:t") == "4");
  // The live set goes away with its latest-expiring member's hash.
  CHECK(cli.run("PEXPIRETIME " + o.key_prefix + "live:t") ==
        std::to_string(1893456000000 + 71000 + o.retention.count() * 1000));
}

TEST_CASE("racing creates from two stores never exceed the cap", "[redis][cap]") {
  const int port = redis_test::fixture_port();
  RedisOptions o;
  o.key_prefix = redis_test::unique_prefix("cap-race");
  RedisSessionStore a(redis_test::url_for(port), o);
  RedisSessionStore b(redis_test::url_for(port), o);
  constexpr std::size_t cap = 7;
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::atomic<int> pending{0};
  for (int i = 0; i < 60; ++i) {
    ++pending;
    RedisSessionStore& store = i % 2 ? a : b;
    store.async_create_capped(session("t", "r" + std::to_string(i), seconds(60)), cap,
                              [&](std::error_code ec) {
                                if (!ec) ++created;
                                if (ec == eudiplo_sse::error::tenant_session_limit) ++refused;
                                --pending;
                              });
  }
  REQUIRE(redis_test::eventually([&] { return pending.load() == 0; }));
  CHECK(created.load() == static_cast<int>(cap));
  CHECK(refused.load() == 60 - static_cast<int>(cap));
}
