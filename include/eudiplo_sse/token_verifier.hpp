// Authentication seam: turns a bearer token into the principal it speaks for.
// JwtVerifier is the library's implementation; hosts may plug in their own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/export.hpp"

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
  // Opaque identity of the key that verified the token (0: none given). Streams
  // end when TokenVerifier::key_present() says it is gone.
  std::uint64_t key_ref = 0;
};

struct VerifyResult {
  // Empty on success, else a token error of eudiplo_sse::error (token_missing ..
  // role_missing). Compare it with auth_failure (error.hpp) for the HTTP answer:
  // `error == auth_failure::forbidden` means 403, `auth_failure::unauthenticated` 401.
  // (session_mismatch, also forbidden, comes from EventsRoute, never from a verifier.)
  std::error_code error;
  Principal principal;
};

class EUDIPLO_SSE_EXPORT TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  // Must be safe to call from many threads at once.
  virtual VerifyResult verify(std::string_view token, TimePoint now) const = 0;
  // Key rotation: a value that changes whenever keys are removed or replaced, and
  // whether the key a principal was verified with is still trusted. The defaults
  // suit verifiers whose keys never change. Both must be thread-safe and cheap.
  virtual std::uint64_t key_generation() const noexcept { return 0; }
  virtual bool key_present(std::uint64_t /*key_ref*/) const noexcept { return true; }
};

}  // namespace eudiplo_sse
