// Signing a JWS with a header the caller writes: tests use it to build tokens with
// odd headers. Private to the library and its tests (not installed): hosts issue
// tokens with sign_hs_jwt (eudiplo_sse/jwt_signer.hpp).
#pragma once

#include <string>
#include <string_view>

#include "eudiplo_sse/jwt_algorithm.hpp"

namespace eudiplo_sse {

// The `alg` written in `header_json` is not checked against `alg`.
std::string sign_hs_jws(std::string_view header_json, std::string_view payload_json,
                        std::string_view secret, JwtAlgorithm alg);

}  // namespace eudiplo_sse
