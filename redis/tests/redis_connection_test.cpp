// RESP handling and the connection's bounds, against the fixture's redis-server.
#include "redis_connection.hpp"

#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/redis/redis_error.hpp"
#include "io_thread.hpp"
#include "redis_test_support.hpp"

using eudiplo_sse::redis::detail::IoThread;
using eudiplo_sse::redis::detail::RedisConnection;
using eudiplo_sse::redis::detail::RedisReply;
using Type = RedisReply::Type;

namespace {

struct Conn {
  explicit Conn(eudiplo_sse::redis::RedisUrl url, eudiplo_sse::redis::RedisOptions o = {})
      : c(std::make_shared<RedisConnection>(io.io(), std::move(url), std::move(o))) {
    c->start();
  }
  ~Conn() {
    io.stop([c = c] { c->stop(); });
  }
  std::pair<std::error_code, RedisReply> run(std::vector<std::string> args) {
    std::promise<std::pair<std::error_code, RedisReply>> p;
    auto f = p.get_future();
    c->command(std::move(args), [&p](std::error_code ec, RedisReply r) {
      p.set_value({ec, std::move(r)});
    });
    return f.get();
  }
  IoThread io;
  std::shared_ptr<RedisConnection> c;
};

}  // namespace

TEST_CASE("every RESP2 reply type is copied out faithfully", "[redis][resp]") {
  Conn conn(redis_test::url_for(redis_test::fixture_port()));
  const std::string key = redis_test::unique_prefix("resp") + "k";

  auto [ec, r] = conn.run({"SET", key, std::string("bin\0ary\r\n", 9)});
  REQUIRE_FALSE(ec);
  CHECK(r.type == Type::status);
  CHECK(r.str == "OK");

  std::tie(ec, r) = conn.run({"GET", key});
  CHECK(r.type == Type::string);
  CHECK(r.str == std::string("bin\0ary\r\n", 9));  // binary-safe, length kept

  std::tie(ec, r) = conn.run({"STRLEN", key});
  CHECK(r.type == Type::integer);
  CHECK(r.integer == 9);
  CHECK(r.text() == "9");

  std::tie(ec, r) = conn.run({"GET", key + "-missing"});
  CHECK(r.type == Type::nil);
  CHECK(r.text().empty());

  std::tie(ec, r) = conn.run({"NOSUCHCOMMAND"});
  REQUIRE_FALSE(ec);
  CHECK(r.is_error());
  CHECK(r.str.find("unknown command") != std::string::npos);

  // Nested arrays with every element type, as our scripts return.
  std::tie(ec, r) = conn.run({"EVAL", "return {1, 'two', {3, 'four', false}, {}}", "0"});
  REQUIRE(r.type == Type::array);
  REQUIRE(r.elements.size() == 4);
  CHECK(r.elements[0].integer == 1);
  CHECK(r.elements[1].str == "two");
  REQUIRE(r.elements[2].type == Type::array);
  REQUIRE(r.elements[2].elements.size() == 3);
  CHECK(r.elements[2].elements[1].str == "four");
  CHECK(r.elements[2].elements[2].type == Type::nil);
  CHECK(r.elements[3].type == Type::array);
  CHECK(r.elements[3].elements.empty());

  // A large bulk string arrives whole (hiredis reads it in several chunks).
  const std::string big(1 << 20, 'x');
  conn.run({"SET", key, big});
  std::tie(ec, r) = conn.run({"GET", key});
  CHECK(r.str.size() == big.size());
  conn.run({"DEL", key});
}

TEST_CASE("many pipelined commands from several threads all complete once", "[redis][resp]") {
  Conn conn(redis_test::url_for(redis_test::fixture_port()));
  const std::string key = redis_test::unique_prefix("pipe") + "n";
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        conn.c->command({"INCR", key}, [&ok](std::error_code ec, RedisReply r) {
          if (!ec && r.type == Type::integer) ++ok;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(redis_test::eventually([&] { return ok.load() == 2000; }));
  CHECK(conn.run({"GET", key}).second.str == "2000");
  conn.run({"DEL", key});
}

TEST_CASE("with nothing listening, commands fail with store_unavailable in bounded time",
          "[redis][unavailable]") {
  eudiplo_sse::redis::RedisOptions o;
  o.command_timeout = std::chrono::milliseconds(300);
  Conn conn(redis_test::url_for(1), o);  // port 1: nothing listens there
  auto [ec, r] = conn.run({"PING"});
  CHECK(ec == eudiplo_sse::error::store_unavailable);
  CHECK_FALSE(conn.c->connected());
}

TEST_CASE("user, password and database from the URL: AUTH and SELECT before any command",
          "[redis][auth]") {
  const int port = redis_test::fixture_port();
  redis_test::Cli cli(port);
  const std::string user = "app" + std::to_string(::getpid());
  REQUIRE(cli.run("ACL SETUSER " + user + " on >s3cret ~* &* +@all") == "OK");
  auto url = redis_test::url_for(port, 3);
  url.username = user;
  url.password = "s3cret";
  {
    // Commands submitted before the connection is up run after AUTH and SELECT.
    Conn conn(url);
    auto [ec, r] = conn.run({"ACL", "WHOAMI"});
    REQUIRE_FALSE(ec);
    CHECK(r.str == user);
    std::tie(ec, r) = conn.run({"CLIENT", "INFO"});
    CHECK(r.str.find(" db=3 ") != std::string::npos);
  }
  CHECK(cli.run("ACL DELUSER " + user) == "1");
}

TEST_CASE("a refused AUTH runs nothing as Redis's default user, and says why once",
          "[redis][auth]") {
  // The fixture's default user is open: commands pipelined behind a failing AUTH
  // would run as it. They must wait for AUTH's answer instead, then fail.
  const int port = redis_test::fixture_port();
  redis_test::Cli cli(port);
  const std::string user = "app" + std::to_string(::getpid()) + "x";
  REQUIRE(cli.run("ACL SETUSER " + user + " on >right ~* &* +@all") == "OK");
  auto url = redis_test::url_for(port, 2);
  url.username = user;
  url.password = "wrong";
  const std::string key = redis_test::unique_prefix("authfail") + "k";
  std::mutex mutex;
  std::vector<std::error_code> reported;
  eudiplo_sse::redis::RedisOptions o;
  o.command_timeout = std::chrono::milliseconds(800);
  o.on_connection_error = [&](std::error_code ec, const std::string& detail) {
    std::lock_guard<std::mutex> lock(mutex);
    reported.push_back(ec);
    CHECK(detail.find("wrong") == std::string::npos);  // never the password
  };
  {
    Conn conn(url, o);
    auto [ec, r] = conn.run({"SET", key, "as-default-user"});
    CHECK(ec == eudiplo_sse::error::store_unavailable);
    CHECK_FALSE(conn.c->connected());
    std::tie(ec, r) = conn.run({"SET", key, "again"});  // after a retry or two
    CHECK(ec == eudiplo_sse::error::store_unavailable);
  }
  for (int db : {0, 2}) {
    redis_test::Cli in_db(port);
    if (db != 0) REQUIRE(in_db.run("SELECT " + std::to_string(db)) == "OK");
    CHECK(in_db.run("EXISTS " + key) == "0");  // neither in db 0 nor in the URL's db
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(reported.size() == 1);  // once per cause, however many retries
    CHECK(reported.front() == eudiplo_sse::redis::errc::auth_failed);
  }
  CHECK(cli.run("ACL DELUSER " + user) == "1");
}
