// Authentication seam: turns a bearer token into the principal it speaks for.
// JwtVerifier is the library's implementation; hosts may plug in their own.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse {

struct Principal {
  std::string tenant;   // from the configured tenant claim; never empty on success
  std::string subject;  // `sub`, may be empty
  std::vector<std::string> roles;
  // The first instant at which verify() refuses this token (JwtVerifier: `exp` plus
  // the leeway). One rule for both: a stream lives exactly as long as its token
  // would still open one, so EventsRoute never opens a stream it would end at once,
  // and ends every stream here. Left default: never.
  TimePoint expires_at{};
  // The one session this token may open (JwtVerifier: the `sid` claim); empty
  // when the token is not bound to a session. EventsRoute answers 403
  // (error::session_mismatch) for any other session.
  std::string session_id;
};

struct VerifyResult {
  // Empty on success, else a token error of eudiplo_sse::error (token_missing ..
  // role_missing). tenant_missing and role_missing mean "authenticated but not
  // allowed" (HTTP 403); the others mean "not authenticated" (HTTP 401).
  // (session_mismatch, also 403, comes from EventsRoute, never from a verifier.)
  std::error_code error;
  Principal principal;
};

class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  // Must be safe to call from many threads at once.
  virtual VerifyResult verify(std::string_view token, TimePoint now) const = 0;
};

// Whether a verification error means 403 (valid token, not allowed) rather than 401.
inline bool is_forbidden_error(std::error_code ec) noexcept {
  return ec == error::tenant_missing || ec == error::role_missing || ec == error::session_mismatch;
}

}  // namespace eudiplo_sse
