// Fuzz target: the JWS compact parser and the JWT header and claims readers,
// without cryptography (src/jwt_parse.cpp, src/jwt_json.cpp).
//
// First byte even: the input is a whole token for parse_jwt(). Odd: the input is
// the decoded JSON of a header and of a claims set.
// Invariants: no crash, no leak; a success has three non-empty segments within the
// size limit; JSON holding a 0x00 byte is never accepted (issue 11).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eudiplo_sse/detail/jwt_parse.hpp"
#include "fuzz_input.hpp"

using namespace eudiplo_sse::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eudiplo_sse::fuzz::FuzzInput input(data, size);
  const bool whole_token = (input.byte() & 1) == 0;
  const std::string_view text = input.rest();
  if (whole_token) {
    ParsedJwt parsed;
    if (!parse_jwt(text, "tenant_id", parsed)) {
      FUZZ_CHECK(text.size() <= kMaxTokenSize);
      FUZZ_CHECK(!parsed.parts.header.empty() && !parsed.parts.payload.empty() &&
                 !parsed.parts.signature.empty());
    }
    return 0;
  }
  const bool has_nul = text.find('\0') != std::string_view::npos;
  JwtHeader header;
  const bool header_ok = !parse_jwt_header(text, header);
  FUZZ_CHECK(!(header_ok && has_nul));
  JwtClaims claims;
  const bool claims_ok = !parse_jwt_claims(text, "tenant_id", claims);
  FUZZ_CHECK(!(claims_ok && has_nul));
  if (claims_ok && claims.session) FUZZ_CHECK(!claims.session->empty());
  return 0;
}
