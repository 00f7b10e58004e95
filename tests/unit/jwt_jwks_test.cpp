// JwtVerifier::add_jwks: which keys a JWKS yields, and which documents are refused.
#include <string>

#include "catch.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "jwt_test_claims.hpp"
#include "jwt_test_keys.hpp"

using eudiplo_sse::error;
using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using namespace jwt_test;

namespace {

JwtVerifier plain_verifier() {
  JwtVerifierOptions options;
  options.issuer = "issuer";
  options.cache_size = 0;
  return JwtVerifier(options);
}

std::string set_of(const std::string& keys) { return "{\"keys\":[" + keys + "]}"; }

std::string token(JwtAlgorithm alg, std::string_view kid = {}) {
  return sign_jws(shared_key(alg), alg, header_for(alg, kid), Claims::standard().json());
}

// `jwk` with member `name` replaced by `raw` (which may be empty to drop it).
std::string with_member(std::string jwk, const std::string& name, const std::string& raw) {
  const auto at = jwk.find("\"" + name + "\":");
  if (at != std::string::npos) {
    auto end = jwk.find_first_of(",}", jwk.find(':', at) + 1);
    if (jwk[jwk.find(':', at) + 1] == '"') end = jwk.find('"', jwk.find(':', at) + 2) + 1;
    const bool comma = jwk[end] == ',';
    jwk.erase(at, end - at + (comma ? 1 : 0));
  }
  if (raw.empty()) {
    if (jwk[jwk.size() - 2] == ',') jwk.erase(jwk.size() - 2, 1);
    return jwk;
  }
  return "{\"" + name + "\":" + raw + (jwk.size() > 2 ? "," : "") + jwk.substr(1);
}

}  // namespace

TEST_CASE("JWKS keys without alg take their curve's algorithm, RSA takes RS256", "[jwt][jwks]") {
  auto verifier = plain_verifier();
  const std::string jwks =
      set_of(public_jwk(shared_key(JwtAlgorithm::RS256), JwtAlgorithm::RS256, "r", false) + "," +
             public_jwk(shared_key(JwtAlgorithm::ES384), JwtAlgorithm::ES384, "e", false) + "," +
             public_jwk(shared_key(JwtAlgorithm::EdDSA), JwtAlgorithm::EdDSA, "o", false));
  REQUIRE_FALSE(verifier.add_jwks(jwks));
  CHECK(verifier.key_count() == 3);
  CHECK_FALSE(verifier.verify(token(JwtAlgorithm::RS256, "r"), at(kNow)).error);
  CHECK_FALSE(verifier.verify(token(JwtAlgorithm::ES384, "e"), at(kNow)).error);
  CHECK_FALSE(verifier.verify(token(JwtAlgorithm::EdDSA, "o"), at(kNow)).error);
  // The RSA key is bound to RS256: PS256 with the very same key is refused.
  const std::string ps = sign_jws(shared_key(JwtAlgorithm::RS256), JwtAlgorithm::PS256,
                                  header_for(JwtAlgorithm::PS256, "r"), Claims::standard().json());
  CHECK(verifier.verify(ps, at(kNow)).error == error::algorithm_disallowed);
}

TEST_CASE("JWKS keys for other uses are skipped", "[jwt][jwks]") {
  auto verifier = plain_verifier();
  const std::string rsa = public_jwk(shared_key(JwtAlgorithm::RS256), JwtAlgorithm::RS256, "sig");
  const std::string jwks = set_of(
      rsa + "," + with_member(with_member(rsa, "kid", "\"enc\""), "use", "\"enc\"") + "," +
      with_member(with_member(rsa, "kid", "\"oaep\""), "alg", "\"RSA-OAEP\"") + "," +
      R"({"kty":"oct","kid":"secret","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"},)"
      R"({"kty":"OKP","crv":"X25519","kid":"x","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},)"
      R"({"kty":"EC","crv":"secp256k1","kid":"k1","x":"AAAA","y":"AAAA"})");
  REQUIRE_FALSE(verifier.add_jwks(jwks));
  CHECK(verifier.key_count() == 1);
  CHECK_FALSE(verifier.verify(token(JwtAlgorithm::RS256, "sig"), at(kNow)).error);
  CHECK(verifier.verify(token(JwtAlgorithm::RS256, "enc"), at(kNow)).error == error::key_unknown);
}

TEST_CASE("malformed JWKS documents are key_invalid and add nothing", "[jwt][jwks]") {
  const std::string rsa = public_jwk(shared_key(JwtAlgorithm::RS256), JwtAlgorithm::RS256, "r");
  const std::string ec = public_jwk(shared_key(JwtAlgorithm::ES256), JwtAlgorithm::ES256, "e");
  const std::string ed = public_jwk(shared_key(JwtAlgorithm::EdDSA), JwtAlgorithm::EdDSA, "o");
  const auto small = generate_key(JwtAlgorithm::RS256, 1024);

  // An EC point that is not on the curve: x from the real key, y changed.
  std::string off_curve = ec;
  const auto y = off_curve.find("\"y\":\"") + 5;
  off_curve[y] = off_curve[y] == 'A' ? 'B' : 'A';

  const std::vector<std::pair<const char*, std::string>> documents = {
      {"not JSON", "keys"},
      {"no keys member", "{}"},
      {"keys not an array", R"({"keys":{}})"},
      {"an empty set", set_of("")},
      {"a key that is not an object", set_of("\"key\"")},
      {"no kty", set_of(with_member(rsa, "kty", ""))},
      {"RSA without n", set_of(with_member(rsa, "n", ""))},
      {"RSA with an empty e", set_of(with_member(rsa, "e", "\"\""))},
      {"RSA with padded n", set_of(with_member(rsa, "n", "\"AQAB==\""))},
      {"RSA of 1024 bits", set_of(public_jwk(small.get(), JwtAlgorithm::RS256, "small"))},
      {"RSA with an EC alg", set_of(with_member(rsa, "alg", "\"ES256\""))},
      {"RSA with an HMAC alg", set_of(with_member(rsa, "alg", "\"HS256\""))},
      {"EC without crv", set_of(with_member(ec, "crv", ""))},
      {"EC with a short x", set_of(with_member(ec, "x", "\"AAAA\""))},
      {"EC off the curve", set_of(off_curve)},
      {"EC with another curve's alg", set_of(with_member(ec, "alg", "\"ES384\""))},
      {"OKP with a short x", set_of(with_member(ed, "x", "\"AAAA\""))},
      {"OKP with an RSA alg", set_of(with_member(ed, "alg", "\"RS256\""))},
      {"a non-string kid", set_of(with_member(rsa, "kid", "7"))},
      {"a duplicate member", set_of(with_member(rsa, "kid", "\"a\",\"kid\":\"b\""))},
      {"one good key, one bad", set_of(rsa + "," + with_member(ec, "y", ""))},
  };
  for (const auto& [what, document] : documents) {
    INFO(what << ": " << document.substr(0, 120));
    auto verifier = plain_verifier();
    CHECK(verifier.add_jwks(document) == error::key_invalid);
    CHECK(verifier.key_count() == 0);
  }
}

TEST_CASE("the JWKS test helper edits members as intended", "[jwt][jwks]") {
  CHECK(with_member(R"({"a":"x","b":1})", "a", "") == R"({"b":1})");
  CHECK(with_member(R"({"a":"x","b":1})", "b", "") == R"({"a":"x"})");
  CHECK(with_member(R"({"a":"x","b":1})", "a", "2") == R"({"a":2,"b":1})");
  CHECK(with_member(R"({"a":"x"})", "c", "3") == R"({"c":3,"a":"x"})");
}

TEST_CASE("a JWKS nested 200,000 deep or holding 0x00 is refused without recursion",
          "[jwt][jwks][issue11]") {
  // A recursive parser would overflow the stack here; the iterative one with a
  // depth limit answers key_invalid like for any other malformed document.
  const std::string deep = "{\"keys\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto verifier = plain_verifier();
  CHECK(verifier.add_jwks(deep) == error::key_invalid);
  const std::string ed = public_jwk(shared_key(JwtAlgorithm::EdDSA), JwtAlgorithm::EdDSA, "o");
  CHECK(verifier.add_jwks(set_of(ed) + std::string("\0", 1)) == error::key_invalid);
  CHECK(verifier.key_count() == 0);
  CHECK_FALSE(verifier.add_jwks(set_of(ed)));  // the same document without the byte
  CHECK(verifier.key_count() == 1);
}
