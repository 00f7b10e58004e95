// Error codes of the library, as std::error_code in the library's own category.
//
// Callers compare against the enum (`ec == eudiplo_sse::error::token_expired`);
// messages are fixed English strings that never contain caller data (tokens,
// session ids), so they are safe to put in HTTP bodies and logs.
#pragma once

#include <string>
#include <system_error>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

enum class error {
  // Sessions and the store.
  invalid_session_id = 1,
  session_not_found,
  session_exists,
  session_terminal,
  invalid_transition,
  invalid_status,
  // The tenant already holds its maximum of live sessions (SessionService's
  // per-tenant cap): answered with 429.
  tenant_session_limit,
  // A per-tenant cap was asked of a store that cannot count a tenant's live
  // sessions (a host-written store that does not override create_capped).
  session_limit_unsupported,
  // The session already has its maximum of open event streams in this process
  // (EventsRouteOptions::max_streams_per_session): answered with 429.
  too_many_streams,

  // Token verification (see TokenVerifier). Values answered with 401 unless noted.
  token_missing = 100,
  token_too_large,
  token_malformed,
  algorithm_unsupported,
  algorithm_disallowed,
  key_unknown,
  signature_invalid,
  token_expired,
  token_not_yet_valid,
  issuer_mismatch,
  audience_mismatch,
  critical_header_unknown,
  tenant_missing,    // 403
  role_missing,      // 403
  session_mismatch,  // 403: a session-bound token used for another session

  // Configuration of verifiers (bad PEM, JWKS, too short a secret).
  key_invalid = 200,
  // A key source (JWKS file or URL) could not be read or fetched; the last good
  // key set stays in use.
  key_source_failed,

  // SSE framing: an `id` or `event` field holding CR, LF or NUL.
  invalid_field = 300,

  // Stores across the network: the store did not answer within its bounded wait
  // (unreachable, reconnecting, or too slow). Retryable: answered with 503.
  store_unavailable = 400,
};

EUDIPLO_SSE_EXPORT const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// What a token verification error means for the answer, as a condition to compare
// a VerifyResult's error against: `if (ec == auth_failure::forbidden) -> 403`.
enum class auth_failure {
  unauthenticated = 1,  // 401: no token, or one that does not verify
  forbidden,            // 403: a valid token that is not allowed (tenant_missing, role_missing,
                        // session_mismatch)
};

EUDIPLO_SSE_EXPORT const std::error_category& auth_failure_category() noexcept;

inline std::error_condition make_error_condition(auth_failure f) noexcept {
  return {static_cast<int>(f), auth_failure_category()};
}

}  // namespace eudiplo_sse

namespace std {
template <>
struct is_error_code_enum<eudiplo_sse::error> : true_type {};
template <>
struct is_error_condition_enum<eudiplo_sse::auth_failure> : true_type {};
}  // namespace std
