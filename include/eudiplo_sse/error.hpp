// Error codes of the library, as std::error_code in the library's own category.
//
// Callers compare against the enum (`ec == eudiplo_sse::error::token_expired`);
// messages are fixed English strings that never contain caller data (tokens,
// session ids), so they are safe to put in HTTP bodies and logs.
#pragma once

#include <string>
#include <system_error>

namespace eudiplo_sse {

enum class error {
  // Sessions and the store.
  invalid_session_id = 1,
  session_not_found,
  session_exists,
  session_terminal,
  invalid_transition,
  invalid_status,

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
  tenant_missing,  // 403
  role_missing,    // 403

  // Configuration of verifiers (bad PEM, JWKS, too short a secret).
  key_invalid = 200,

  // SSE framing: an `id` or `event` field holding CR, LF or NUL.
  invalid_field = 300,

  // Stores across the network: the store did not answer within its bounded wait
  // (unreachable, reconnecting, or too slow). Retryable: answered with 503.
  store_unavailable = 400,
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace eudiplo_sse

namespace std {
template <>
struct is_error_code_enum<eudiplo_sse::error> : true_type {};
}  // namespace std
