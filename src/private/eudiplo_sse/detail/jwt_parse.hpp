// The JWS compact serialization and JWT claims parser, without any cryptography.
//
// Bytes in, parsed structure or a token error out: nothing here allocates more than
// a few times the input, recurses on input depth, or reads outside the input, so a
// fuzz target can call parse_jwt() directly. JwtVerifier uses the stages in order
// (split, header, [key and signature], claims) so that the payload of a token is
// only parsed once its signature has verified.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace eudiplo_sse::detail {

// Tokens longer than this are refused before any parsing (error::token_too_large).
inline constexpr std::size_t kMaxTokenSize = 8 * 1024;

struct JwtParts {
  std::string_view header;  // base64url text of each segment, views into the token
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // "header.payload", what the signature covers
};

struct JwtHeader {
  std::string alg;  // as written; an unknown value is the verifier's business
  std::optional<std::string> kid;
  std::vector<std::string> crit;  // empty when absent (an empty list is malformed)
};

struct JwtClaims {
  // NumericDate values (seconds since the epoch, possibly fractional).
  std::optional<double> exp;
  std::optional<double> nbf;
  std::optional<double> iat;
  std::optional<std::string> iss;
  std::vector<std::string> aud;  // `aud` as a string becomes a one-element list
  std::string sub;
  // The configured tenant claim when it is a string (possibly empty); nullopt when it
  // is absent or not a string. The verifier turns both into error::tenant_missing.
  std::optional<std::string> tenant;
  std::vector<std::string> roles;
  // The session-binding claim (`sid` by default): nullopt when absent.
  std::optional<std::string> session;
};

// Token size, three non-empty dot-separated segments (a five-segment JWE is malformed).
// Errors: token_missing, token_too_large, token_malformed.
std::error_code split_jwt(std::string_view token, JwtParts& parts) noexcept;

// Both take the decoded JSON text. The JSON must be one UTF-8 object with no duplicate
// member names at any depth, nested at most 32 deep, with nothing after it.
// Header: `alg` string (required), `kid` string, `crit` non-empty array of strings.
// Errors: token_malformed.
std::error_code parse_jwt_header(std::string_view json, JwtHeader& header);
// Claims: `exp`/`nbf`/`iat` numbers, `iss`/`sub` strings, `aud` string or array of
// strings, `roles` array of strings, the session claim a non-empty string (an
// empty one would bind the token to nothing). Presence rules (exp required, ...)
// are the verifier's. An empty `session_claim` reads no session binding.
// Errors: token_malformed.
std::error_code parse_jwt_claims(std::string_view json, std::string_view tenant_claim,
                                 JwtClaims& claims, std::string_view session_claim = "sid");

struct ParsedJwt {
  JwtParts parts;
  JwtHeader header;
  std::string signature;  // decoded bytes
  JwtClaims claims;
};

// All stages but the cryptography: the fuzzing entry point.
std::error_code parse_jwt(std::string_view token, std::string_view tenant_claim, ParsedJwt& out);

}  // namespace eudiplo_sse::detail
