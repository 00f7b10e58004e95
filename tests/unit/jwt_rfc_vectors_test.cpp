// Published JWS examples verify with a fixed clock: RFC 7515 appendix A.1-A.3 and
// RFC 8037 appendix A.4. Files in data/jwt/ (see its README).
#include <fstream>
#include <sstream>
#include <string>

#include "catch.hpp"
#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"

using eudiplo_sse::error;
using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using eudiplo_sse::TimePoint;

namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(EUDIPLO_SSE_TEST_DATA_DIR) + "/jwt/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The RFC 7515 examples carry {"iss":"joe","exp":1300819380,...} and no tenant:
// `iss` doubles as the tenant claim so that every check of a real token runs.
JwtVerifier rfc7515_verifier() {
  JwtVerifierOptions options;
  options.issuer = "joe";
  options.tenant_claim = "iss";
  options.cache_size = 0;
  return JwtVerifier(options);
}

constexpr std::int64_t kExp = 1300819380;
TimePoint at(std::int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

std::string flip_last_signature_char(std::string token) {
  char& c = token[token.rfind('.') + 1];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

void check_rfc7515_token(const JwtVerifier& verifier, const std::string& token) {
  const auto result = verifier.verify(token, at(kExp - 3600));
  REQUIRE_FALSE(result.error);
  CHECK(result.principal.tenant == "joe");
  CHECK(result.principal.expires_at == at(kExp + 30));  // exp + the default leeway
  CHECK(verifier.verify(token, at(kExp + 31)).error == error::token_expired);
  CHECK(verifier.verify(flip_last_signature_char(token), at(kExp - 3600)).error ==
        error::signature_invalid);
}

}  // namespace

TEST_CASE("RFC 7515 A.1: HS256", "[jwt][rfc]") {
  std::string secret;
  REQUIRE(eudiplo_sse::detail::base64url_decode(read_data("rfc7515_a1_hs256.key"), secret));
  auto verifier = rfc7515_verifier();
  REQUIRE_FALSE(verifier.add_hmac_secret(secret, JwtAlgorithm::HS256));
  check_rfc7515_token(verifier, read_data("rfc7515_a1_hs256.jwt"));
}

TEST_CASE("RFC 7515 A.2: RS256", "[jwt][rfc]") {
  auto verifier = rfc7515_verifier();
  REQUIRE_FALSE(verifier.add_jwks(read_data("rfc7515_a2_rs256.jwks")));
  check_rfc7515_token(verifier, read_data("rfc7515_a2_rs256.jwt"));
}

TEST_CASE("RFC 7515 A.3: ES256", "[jwt][rfc]") {
  auto verifier = rfc7515_verifier();
  REQUIRE_FALSE(verifier.add_jwks(read_data("rfc7515_a3_es256.jwks")));
  check_rfc7515_token(verifier, read_data("rfc7515_a3_es256.jwt"));
}

TEST_CASE("RFC 8037 A.4: Ed25519", "[jwt][rfc]") {
  auto verifier = rfc7515_verifier();
  REQUIRE_FALSE(verifier.add_jwks(read_data("rfc8037_a4_eddsa.jwks")));
  const std::string jws = read_data("rfc8037_a4_eddsa.jws");
  // Its payload is the sentence "Example of Ed25519 signing", not JWT claims. The
  // payload is parsed only after the signature verified, so the signature passing is
  // what makes this token_malformed rather than signature_invalid.
  CHECK(verifier.verify(jws, at(kExp)).error == error::token_malformed);
  CHECK(verifier.verify(flip_last_signature_char(jws), at(kExp)).error == error::signature_invalid);
  // One changed payload character under the original signature.
  std::string tampered = jws;
  tampered[tampered.find('.') + 1] = 'S';
  CHECK(verifier.verify(tampered, at(kExp)).error == error::signature_invalid);
}
