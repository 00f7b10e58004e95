#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse {
namespace {

class ErrorCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "eudiplo_sse"; }

  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_session_id: return "invalid session id";
      case error::session_not_found: return "session not found";
      case error::session_exists: return "session already exists";
      case error::session_terminal: return "session is in a terminal status";
      case error::invalid_transition: return "status transition not allowed";
      case error::invalid_status: return "unknown session status";
      case error::tenant_session_limit: return "too many live sessions for this tenant";
      case error::too_many_streams: return "too many open streams for this session";
      case error::session_limit_unsupported:
        return "the session store cannot enforce a per-tenant session cap";
      case error::token_missing: return "missing token";
      case error::token_too_large: return "token too large";
      case error::token_malformed: return "malformed token";
      case error::algorithm_unsupported: return "unsupported algorithm";
      case error::algorithm_disallowed: return "algorithm not allowed for this key";
      case error::key_unknown: return "no key matches the token";
      case error::signature_invalid: return "invalid signature";
      case error::token_expired: return "token expired";
      case error::token_not_yet_valid: return "token not yet valid";
      case error::issuer_mismatch: return "wrong issuer";
      case error::audience_mismatch: return "wrong audience";
      case error::critical_header_unknown: return "unknown critical header";
      case error::tenant_missing: return "token has no tenant";
      case error::role_missing: return "token lacks a required role";
      case error::session_mismatch: return "token is bound to another session";
      case error::key_invalid: return "invalid key";
      case error::key_source_failed: return "key set could not be read or fetched";
      case error::invalid_field: return "SSE field contains CR, LF or NUL";
      case error::store_unavailable: return "session store unavailable";
    }
    return "unknown eudiplo_sse error";
  }
};

// The 401/403 split of token errors. Any error a verifier returns that is not "valid
// but not allowed" counts as not authenticated, including a host verifier's own
// codes: refusing with 401 is the safe default.
class AuthFailureCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "eudiplo_sse.auth"; }

  std::string message(int value) const override {
    switch (static_cast<auth_failure>(value)) {
      case auth_failure::unauthenticated: return "not authenticated";
      case auth_failure::forbidden: return "not allowed";
    }
    return "unknown authentication failure";
  }

  bool equivalent(const std::error_code& code, int condition) const noexcept override {
    if (!code) return false;
    const bool forbidden = code == error::tenant_missing || code == error::role_missing ||
                           code == error::session_mismatch;
    switch (static_cast<auth_failure>(condition)) {
      case auth_failure::unauthenticated: return !forbidden;
      case auth_failure::forbidden: return forbidden;
    }
    return false;
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const ErrorCategory category;
  return category;
}

const std::error_category& auth_failure_category() noexcept {
  static const AuthFailureCategory category;
  return category;
}

}  // namespace eudiplo_sse
