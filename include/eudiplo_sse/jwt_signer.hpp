// Issuing HMAC-signed JWTs: what the example server's POST /oauth2/token hands out,
// and what tests sign their tokens with. Verification is JwtVerifier's job.
#pragma once

#include <string>
#include <string_view>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/jwt_algorithm.hpp"

namespace eudiplo_sse {

// A compact JWS of `payload_json` (taken as is: the caller writes the claims) under
// the header {"alg":"HS256","typ":"JWT"} (plus "kid" when given), signed with
// HS256/384/512. Returns an empty string when `alg` is not an HMAC algorithm or the
// secret is shorter than JwtVerifier would accept (32/48/64 bytes, RFC 7518 3.2).
EUDIPLO_SSE_EXPORT std::string sign_hs_jwt(std::string_view payload_json, std::string_view secret,
                                           JwtAlgorithm alg = JwtAlgorithm::HS256,
                                           std::string_view kid = {});

}  // namespace eudiplo_sse
