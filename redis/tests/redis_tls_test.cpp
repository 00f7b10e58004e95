// rediss:// against the fixture's Redis in TLS mode (EUDIPLO_SSE_REDIS_TLS_DIR; ctest
// runs this file's [tls] cases only there): every way TLS can fail gives a clear
// error of the redis category within bounded time, never a hang. The rest of the
// battery runs over TLS in that mode too (redis_test_support.hpp: url_for).
#ifdef EUDIPLO_SSE_REDIS_TLS
#include <cstdlib>
#include <future>
#include <mutex>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/redis/redis_error.hpp"
#include "io_thread.hpp"
#include "redis_connection.hpp"
#include "redis_test_support.hpp"

using eudiplo_sse::redis::errc;
using eudiplo_sse::redis::RedisOptions;
using eudiplo_sse::redis::RedisTlsOptions;
using eudiplo_sse::redis::RedisUrl;
using eudiplo_sse::redis::detail::IoThread;
using eudiplo_sse::redis::detail::RedisConnection;
using eudiplo_sse::redis::detail::RedisReply;

namespace {

// A connection and what its on_connection_error hook was told.
struct Probe {
  explicit Probe(RedisUrl url) {
    RedisOptions o;
    o.connect_timeout = std::chrono::milliseconds(500);
    o.command_timeout = std::chrono::milliseconds(500);
    o.reconnect_max = std::chrono::milliseconds(200);
    o.on_connection_error = [this](std::error_code ec, const std::string& detail) {
      std::lock_guard<std::mutex> lock(mutex);
      errors.emplace_back(ec, detail);
    };
    c = std::make_shared<RedisConnection>(io.io(), std::move(url), o);
    c->start();
  }
  ~Probe() {
    io.stop([c = c] { c->stop(); });
  }
  std::error_code ping() {
    std::promise<std::error_code> p;
    auto f = p.get_future();
    c->command({"PING"}, [&p](std::error_code ec, RedisReply r) {
      p.set_value(ec ? ec : (r.str == "PONG" ? std::error_code() : errc::reply_unexpected));
    });
    return f.get();
  }
  std::vector<std::pair<std::error_code, std::string>> told() {
    std::lock_guard<std::mutex> lock(mutex);
    return errors;
  }
  // Waits (a liveness bound) until the connection failed with `want`.
  bool fails_with(errc want) {
    return redis_test::eventually([&] { return c->last_error() == want; });
  }

  std::mutex mutex;
  std::vector<std::pair<std::error_code, std::string>> errors;
  IoThread io;
  std::shared_ptr<RedisConnection> c;
};

RedisUrl tls_url(const std::string& host, int port) {
  RedisUrl url = redis_test::url_for(port);
  url.host = host;
  return url;
}

}  // namespace

TEST_CASE("rediss:// with the right CA and client certificate works, by IP and by name",
          "[redis][tls]") {
  REQUIRE_FALSE(redis_test::tls_dir().empty());
  for (const char* host : {"127.0.0.1", "localhost"}) {
    Probe probe(tls_url(host, redis_test::fixture_port()));
    CHECK_FALSE(probe.ping());
    CHECK(probe.c->connected());
    CHECK_FALSE(probe.c->last_error());
    CHECK(probe.told().empty());
  }
}

TEST_CASE("a server certificate from another CA is refused as unverified", "[redis][tls]") {
  RedisUrl url = tls_url("127.0.0.1", redis_test::fixture_port());
  url.tls_options.ca_file = redis_test::tls_dir() + "/other-ca.crt";
  Probe probe(url);
  REQUIRE(probe.fails_with(errc::tls_verify_failed));
  CHECK(probe.ping() == eudiplo_sse::error::store_unavailable);
  CHECK_FALSE(probe.c->connected());
  const auto told = probe.told();
  REQUIRE(told.size() == 1);  // once per cause, not once per retry
  CHECK(told[0].first == errc::tls_verify_failed);
  // OpenSSL's verify reason (Redis sends its CA along: "self-signed certificate in
  // certificate chain").
  CHECK(told[0].second.find("certificate") != std::string::npos);
}

TEST_CASE("a host name the certificate does not hold is refused", "[redis][tls]") {
  // The fixture listens on 127.0.0.2 too; its certificate names 127.0.0.1 and localhost.
  Probe probe(tls_url("127.0.0.2", redis_test::fixture_port()));
  REQUIRE(probe.fails_with(errc::tls_verify_failed));
  REQUIRE_FALSE(probe.told().empty());
  CHECK(probe.told()[0].second == "IP address mismatch");
  CHECK(probe.ping() == eudiplo_sse::error::store_unavailable);
}

TEST_CASE("without a client certificate Redis refuses the handshake", "[redis][tls]") {
  RedisUrl url = tls_url("127.0.0.1", redis_test::fixture_port());
  url.tls_options.cert_file.clear();
  url.tls_options.key_file.clear();
  Probe probe(url);
  REQUIRE(probe.fails_with(errc::tls_handshake_failed));
  CHECK(probe.ping() == eudiplo_sse::error::store_unavailable);
  // Several retries later (reconnect_max 200 ms): still one cause, told once, though
  // Redis's reset sometimes comes before its alert is read.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto told = probe.told();
  std::string all;  // shown when the check fails
  for (const auto& [ec, detail] : told) all += ec.message() + ": " + detail + "\n";
  INFO(all);
  REQUIRE(told.size() == 1);
  CHECK(told[0].first == errc::tls_handshake_failed);
  CHECK_FALSE(told[0].second.empty());
}

TEST_CASE("rediss:// against a plain Redis port fails in bounded time", "[redis][tls]") {
  const std::string dir = std::string(std::getenv("EUDIPLO_SSE_REDIS_SCRATCH")) + "/plain";
  const std::string fixture = EUDIPLO_SSE_REDIS_FIXTURE;
  // The same fixture without TLS: a plain port.
  REQUIRE(std::system(("env -u EUDIPLO_SSE_REDIS_TLS_DIR " + fixture + " start " + dir).c_str()) ==
          0);
  {
    Probe probe(tls_url("127.0.0.1", redis_test::port_in(dir)));
    // Plain Redis answers our ClientHello as a bad command (not TLS: handshake
    // failed) or waits for the rest of a line (the connect timeout ends it).
    REQUIRE(redis_test::eventually([&] {
      const auto ec = probe.c->last_error();
      return ec == errc::tls_handshake_failed || ec == errc::tls_handshake_timeout;
    }));
    CHECK(probe.ping() == eudiplo_sse::error::store_unavailable);
  }
  std::system(("env -u EUDIPLO_SSE_REDIS_TLS_DIR " + fixture + " stop " + dir).c_str());
}

TEST_CASE("unreadable or mismatched TLS files are refused before connecting", "[redis][tls]") {
  using eudiplo_sse::redis::check_redis_tls;
  const auto good = redis_test::client_tls();
  CHECK_FALSE(check_redis_tls(good));
  CHECK_FALSE(check_redis_tls({good.ca_file, "", "", ""}));
  CHECK_FALSE(check_redis_tls({}));  // the system trust store
  CHECK(check_redis_tls({"/nonexistent/ca.pem", "", "", ""}) == errc::tls_ca_invalid);
  CHECK(check_redis_tls({good.ca_file, "", good.cert_file, ""}) == errc::tls_cert_key_pair);
  CHECK(check_redis_tls({good.ca_file, "", "/nonexistent.crt", good.key_file}) ==
        errc::tls_cert_invalid);
  const std::string server_key = redis_test::tls_dir() + "/server.key";
  CHECK(check_redis_tls({good.ca_file, "", good.cert_file, server_key}) == errc::tls_key_invalid);

  // A connection with such files says so and never connects.
  RedisUrl url = tls_url("127.0.0.1", redis_test::fixture_port());
  url.tls_options.ca_file = "/nonexistent/ca.pem";
  Probe probe(url);
  REQUIRE(probe.fails_with(errc::tls_ca_invalid));
  CHECK(probe.ping() == eudiplo_sse::error::store_unavailable);
}
#endif
