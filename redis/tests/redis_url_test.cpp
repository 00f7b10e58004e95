#include "eudiplo_sse/redis/redis_url.hpp"

#include "catch.hpp"
#include "eudiplo_sse/redis/redis_error.hpp"

using eudiplo_sse::redis::errc;
using eudiplo_sse::redis::parse_redis_url;
using eudiplo_sse::redis::RedisUrl;

TEST_CASE("redis URLs: host, port, database, credentials", "[redis][url]") {
  RedisUrl u;
  REQUIRE_FALSE(parse_redis_url("redis://localhost", u));
  CHECK(u.host == "localhost");
  CHECK(u.port == 6379);
  CHECK(u.db == 0);
  CHECK(u.password.empty());

  REQUIRE_FALSE(parse_redis_url("redis://10.0.0.5:6380/3", u));
  CHECK(u.host == "10.0.0.5");
  CHECK(u.port == 6380);
  CHECK(u.db == 3);

  REQUIRE_FALSE(parse_redis_url("redis://:s3cret@h:1/", u));
  CHECK(u.username.empty());
  CHECK(u.password == "s3cret");
  CHECK(u.db == 0);

  REQUIRE_FALSE(parse_redis_url("redis://app:p%40ss%3Aword@h/15", u));
  CHECK(u.username == "app");
  CHECK(u.password == "p@ss:word");
  CHECK(u.db == 15);

  REQUIRE_FALSE(parse_redis_url("redis://[::1]:7000/2", u));
  CHECK(u.host == "::1");
  CHECK(u.port == 7000);
  CHECK(u.db == 2);
}

TEST_CASE("bad redis URLs are refused with a clear error", "[redis][url]") {
  RedisUrl u;
  u.host = "unchanged";
  CHECK(parse_redis_url("http://h", u) == errc::url_scheme_unsupported);
  CHECK(parse_redis_url("", u) == errc::url_scheme_unsupported);
  CHECK(parse_redis_url("redis://", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h:0", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h:65536", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h:", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h:12x", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h/db", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h/-1", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://h?x=1", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://p%zz@h", u) == errc::url_invalid);
  CHECK(parse_redis_url("redis://[::1", u) == errc::url_invalid);
  CHECK(u.host == "unchanged");  // untouched on error
}

#ifdef EUDIPLO_SSE_REDIS_TLS
TEST_CASE("rediss:// parses when TLS is built in", "[redis][url]") {
  CHECK(eudiplo_sse::redis::redis_tls_available());
  RedisUrl u;
  u.tls_options.ca_file = "/etc/ca.pem";  // set by the host, kept by the parser
  REQUIRE_FALSE(parse_redis_url("rediss://:pw@h:6380/1", u));
  CHECK(u.tls);
  CHECK(u.host == "h");
  CHECK(u.port == 6380);
  CHECK(u.db == 1);
  CHECK(u.password == "pw");
  CHECK(u.tls_options.ca_file == "/etc/ca.pem");
  REQUIRE_FALSE(parse_redis_url("redis://h", u));
  CHECK_FALSE(u.tls);
  CHECK(parse_redis_url("rediss://h:0", u) == errc::url_invalid);
}
#else
TEST_CASE("rediss:// says TLS is not available in this build", "[redis][url]") {
  CHECK_FALSE(eudiplo_sse::redis::redis_tls_available());
  RedisUrl u;
  const auto ec = parse_redis_url("rediss://:pw@h:6380/1", u);
  CHECK(ec == errc::tls_unavailable);
  CHECK(ec.message().find("TLS") != std::string::npos);
  CHECK(ec.message().find("pw") == std::string::npos);
  // A malformed rediss:// URL reports what is malformed first.
  CHECK(parse_redis_url("rediss://h:0", u) == errc::url_invalid);
  // A host that builds a RedisUrl itself hears the same at startup.
  CHECK(eudiplo_sse::redis::check_redis_tls({}) == errc::tls_unavailable);
}
#endif
