// Errors of the Redis component, as std::error_code in its own category. Messages
// are fixed English strings that never contain the URL (it may hold a password).
#pragma once

#include <system_error>

namespace eudiplo_sse::redis {

enum class errc {
  url_invalid = 1,  // not redis://[user:password@]host[:port][/db]
  url_scheme_unsupported,
  tls_unavailable,   // rediss:// but this build has no TLS for Redis
  reply_unexpected,  // Redis answered something the script or command cannot return
  // Why a connection attempt failed (RedisOptions::on_connection_error).
  connect_failed,         // TCP connect refused, unreachable or timed out
  tls_cert_key_pair,      // a client certificate without its key, or the reverse
  tls_ca_invalid,         // the CA file or directory cannot be loaded
  tls_cert_invalid,       // the client certificate cannot be loaded
  tls_key_invalid,        // the client key cannot be loaded or does not match
  tls_verify_failed,      // Redis's certificate: untrusted, expired or not for this host
  tls_handshake_failed,   // refused (e.g. our client certificate), or not TLS at all
  tls_handshake_timeout,  // no TLS session within connect_timeout (a plain port?)
  auth_failed,            // Redis refused the URL's AUTH (user, password) or SELECT (db)
};

const std::error_category& redis_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), redis_category()};
}

}  // namespace eudiplo_sse::redis

namespace std {
template <>
struct is_error_code_enum<eudiplo_sse::redis::errc> : true_type {};
}  // namespace std
