// JSON Web Key Sets (RFC 7517) to verification keys.
#pragma once

#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

#include "jwt_key.hpp"

namespace eudiplo_sse::detail {

// Appends one JwtKey per usable key of `json` ({"keys":[...]}) to `keys`, or nothing
// at all on error (error::key_invalid): a malformed document, a key of a supported
// type with missing or bad members, an `alg` that contradicts the key type, or a set
// with no usable key. Keys not meant for JWS verification are skipped: `use` other
// than "sig", `kty` "oct" (secrets are configured, never published), unsupported
// curves, and `alg` values this library does not verify (RSA-OAEP, ...).
// Without `alg`, EC and OKP keys take the one algorithm their curve allows and RSA
// keys RS256 (the OpenID Connect default); publish `alg` to use PS*/RS384/RS512.
std::error_code parse_jwks(std::string_view json, std::vector<std::unique_ptr<JwtKey>>& keys);

}  // namespace eudiplo_sse::detail
