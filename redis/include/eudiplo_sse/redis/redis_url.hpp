// Where Redis is: redis://[[user]:password@]host[:port][/db] and rediss:// (TLS).
//
// Percent-escapes are decoded in the user and password (so a password may hold
// '@' or ':' as %40 and %3A). IPv6 hosts go in brackets: redis://[::1]:6379/0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/redis/redis_tls.hpp"

namespace eudiplo_sse::redis {

struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  std::string username;  // empty: AUTH with the password only (the default user)
  std::string password;  // empty: no AUTH
  int db = 0;
  bool tls = false;  // rediss://
  // Not part of the URL (file paths do not belong in it): set by the host.
  RedisTlsOptions tls_options;
};

// Parses `url` into `out` (tls_options untouched). errc::url_invalid,
// errc::url_scheme_unsupported, and errc::tls_unavailable for rediss:// when the
// component was built without TLS (redis_tls_available()).
std::error_code parse_redis_url(std::string_view url, RedisUrl& out);

}  // namespace eudiplo_sse::redis
