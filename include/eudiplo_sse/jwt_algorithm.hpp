// The JWS algorithms (RFC 7518, RFC 8037) the library signs or verifies with.
#pragma once

#include <optional>
#include <string_view>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

enum class JwtAlgorithm {
  HS256,
  HS384,
  HS512,
  RS256,
  RS384,
  RS512,
  PS256,
  PS384,
  PS512,
  ES256,
  ES384,
  ES512,
  EdDSA,  // Ed25519 only
};

// The `alg` header value, e.g. "RS256".
EUDIPLO_SSE_EXPORT std::string_view to_string(JwtAlgorithm alg) noexcept;

// Exact, case-sensitive match of an `alg` value; nullopt for anything else,
// including "none" (which no key can ever be bound to).
EUDIPLO_SSE_EXPORT std::optional<JwtAlgorithm> jwt_algorithm_from_string(
    std::string_view name) noexcept;

inline bool is_hmac(JwtAlgorithm alg) noexcept {
  return alg == JwtAlgorithm::HS256 || alg == JwtAlgorithm::HS384 || alg == JwtAlgorithm::HS512;
}

}  // namespace eudiplo_sse
