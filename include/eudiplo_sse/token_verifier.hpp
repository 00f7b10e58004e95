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

namespace eudiplo_sse {

struct Principal {
  std::string tenant;   // from the configured tenant claim; never empty on success
  std::string subject;  // `sub`, may be empty
  std::vector<std::string> roles;
  TimePoint expires_at{};  // `exp`; streams end when it passes (left default: never)
  // Opaque identity of the key that verified the token (0: none given). Streams
  // end when TokenVerifier::key_present() says it is gone.
  std::uint64_t key_ref = 0;
};

struct VerifyResult {
  // Empty on success, else a token error of eudiplo_sse::error (token_missing ..
  // role_missing). tenant_missing and role_missing mean "authenticated but not
  // allowed" (HTTP 403); the others mean "not authenticated" (HTTP 401).
  std::error_code error;
  Principal principal;
};

class TokenVerifier {
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

// Whether a verification error means 403 (valid token, not allowed) rather than 401.
inline bool is_forbidden_error(std::error_code ec) noexcept {
  return ec == error::tenant_missing || ec == error::role_missing;
}

}  // namespace eudiplo_sse
