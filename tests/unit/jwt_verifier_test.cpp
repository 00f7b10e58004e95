// JwtVerifier: every algorithm, and every refusal with its own error value.
#include "eudiplo_sse/jwt_verifier.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/detail/jws_signer.hpp"
#include "eudiplo_sse/jwt_signer.hpp"
#include "jwt_test_claims.hpp"
#include "jwt_test_keys.hpp"

using eudiplo_sse::error;
using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using eudiplo_sse::sign_hs_jws;
using eudiplo_sse::sign_hs_jwt;
using eudiplo_sse::VerifyResult;
using namespace jwt_test;

namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes
const std::string kSecret64 = kSecret + kSecret;

JwtVerifierOptions test_options(std::size_t cache_size = 0) {
  JwtVerifierOptions options;
  options.issuer = "issuer";
  options.audience = "audience";
  options.cache_size = cache_size;
  return options;
}

// A verifier holding one HS256 secret, and a token it accepts.
JwtVerifier hs256_verifier(JwtVerifierOptions options = test_options()) {
  JwtVerifier verifier(std::move(options));
  REQUIRE_FALSE(verifier.add_hmac_secret(kSecret));
  return verifier;
}

std::string hs256(const Claims& claims) { return sign_hs_jwt(claims.json(), kSecret); }

std::error_code verify_error(const JwtVerifier& verifier, const std::string& token,
                             std::int64_t now = kNow) {
  return verifier.verify(token, at(now)).error;
}

// Flips one bit of the decoded signature and re-encodes it.
std::string flip_signature_bit(const std::string& token, std::size_t byte = 0) {
  const auto dot = token.rfind('.');
  std::string signature;
  REQUIRE(eudiplo_sse::detail::base64url_decode(token.substr(dot + 1), signature));
  signature[byte % signature.size()] ^= 0x01;
  return token.substr(0, dot + 1) + b64(signature);
}

const JwtAlgorithm kAsymmetric[] = {JwtAlgorithm::RS256, JwtAlgorithm::RS384, JwtAlgorithm::RS512,
                                    JwtAlgorithm::PS256, JwtAlgorithm::PS384, JwtAlgorithm::PS512,
                                    JwtAlgorithm::ES256, JwtAlgorithm::ES384, JwtAlgorithm::ES512,
                                    JwtAlgorithm::EdDSA};

}  // namespace

TEST_CASE("a valid HS256 token yields its principal", "[jwt][verifier]") {
  const auto verifier = hs256_verifier();
  const auto claims = Claims::standard().set("roles", R"(["reader","writer"])");
  const VerifyResult result = verifier.verify(hs256(claims), at(kNow));
  REQUIRE_FALSE(result.error);
  CHECK(result.principal.tenant == "tenant-a");
  CHECK(result.principal.subject == "user-1");
  CHECK(result.principal.roles == std::vector<std::string>{"reader", "writer"});
  CHECK(result.principal.expires_at == at(kNow + 600 + 30));  // exp + leeway
}

TEST_CASE("HS384 and HS512 verify with their own secrets", "[jwt][verifier]") {
  for (const auto alg : {JwtAlgorithm::HS384, JwtAlgorithm::HS512}) {
    JwtVerifier verifier(test_options());
    REQUIRE_FALSE(verifier.add_hmac_secret(kSecret64, alg));
    const std::string token = sign_hs_jwt(Claims::standard().json(), kSecret64, alg);
    CHECK_FALSE(verify_error(verifier, token));
    CHECK(verify_error(verifier, flip_signature_bit(token, 5)) == error::signature_invalid);
    // An HS256 token under the same secret is not this key's algorithm.
    CHECK(verify_error(verifier, sign_hs_jwt(Claims::standard().json(), kSecret64)) ==
          error::algorithm_disallowed);
  }
}

TEST_CASE("every asymmetric algorithm verifies with a PEM key and refuses a flipped bit",
          "[jwt][verifier]") {
  for (const auto alg : kAsymmetric) {
    INFO("alg " << eudiplo_sse::to_string(alg));
    EVP_PKEY* key = shared_key(alg);
    JwtVerifier verifier(test_options());
    REQUIRE_FALSE(verifier.add_pem_public_key(public_pem(key), alg));
    const std::string token = sign_jws(key, alg, header_for(alg), Claims::standard().json());
    const VerifyResult result = verifier.verify(token, at(kNow));
    REQUIRE_FALSE(result.error);
    CHECK(result.principal.tenant == "tenant-a");
    // First, middle and last byte of the signature.
    CHECK(verify_error(verifier, flip_signature_bit(token, 0)) == error::signature_invalid);
    CHECK(verify_error(verifier, flip_signature_bit(token, 31)) == error::signature_invalid);
    CHECK(verify_error(verifier, flip_signature_bit(token, std::string::npos)) ==
          error::signature_invalid);
    // A changed payload under the original signature.
    const std::string forged = b64(header_for(alg)) + "." +
                               b64(Claims::standard().set("tenant_id", "\"tenant-b\"").json()) +
                               token.substr(token.rfind('.'));
    CHECK(verify_error(verifier, forged) == error::signature_invalid);
  }
}

TEST_CASE("every asymmetric algorithm verifies with a JWKS key selected by kid",
          "[jwt][verifier][jwks]") {
  std::string jwks = "{\"keys\":[";
  for (const auto alg : kAsymmetric) {
    if (jwks.back() != '[') jwks += ',';
    jwks += public_jwk(shared_key(alg), alg, "kid-" + std::string(eudiplo_sse::to_string(alg)));
  }
  jwks += "]}";
  JwtVerifier verifier(test_options());
  REQUIRE_FALSE(verifier.add_jwks(jwks));
  REQUIRE(verifier.key_count() == 10);
  for (const auto alg : kAsymmetric) {
    INFO("alg " << eudiplo_sse::to_string(alg));
    const std::string kid = "kid-" + std::string(eudiplo_sse::to_string(alg));
    CHECK_FALSE(verify_error(
        verifier, sign_jws(shared_key(alg), alg, header_for(alg, kid), Claims::standard().json())));
    // Without a kid every key of the algorithm is tried.
    CHECK_FALSE(verify_error(
        verifier, sign_jws(shared_key(alg), alg, header_for(alg), Claims::standard().json())));
  }
}

TEST_CASE("an empty token is token_missing", "[jwt][verifier][refusal]") {
  CHECK(verify_error(hs256_verifier(), "") == error::token_missing);
}

TEST_CASE("a 9 KiB token is token_too_large", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  const std::string padding(9 * 1024, 'x');
  const std::string token = hs256(Claims::standard().set("pad", "\"" + padding + "\""));
  REQUIRE(token.size() > 9 * 1024);
  CHECK(verify_error(verifier, token) == error::token_too_large);
  // Size is checked before structure: nine kilobytes of nothing valid say the same.
  CHECK(verify_error(verifier, std::string(9 * 1024, '!')) == error::token_too_large);
  // Just under the limit still verifies.
  const std::string fits =
      hs256(Claims::standard().set("pad", "\"" + std::string(5500, 'x') + "\""));
  REQUIRE(fits.size() <= 8192);
  CHECK_FALSE(verify_error(verifier, fits));
}

TEST_CASE("malformed structure is token_malformed", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  const std::string token = hs256(Claims::standard());
  const auto first = token.find('.');
  const auto last = token.rfind('.');

  SECTION("five parts (JWE compact serialization)") {
    CHECK(verify_error(verifier, token + ".AAAA.BBBB") == error::token_malformed);
  }
  SECTION("an empty segment") {
    CHECK(verify_error(verifier, token.substr(0, last + 1)) == error::token_malformed);
    CHECK(verify_error(verifier, token.substr(0, first + 1) + token.substr(last)) ==
          error::token_malformed);
    CHECK(verify_error(verifier, token.substr(first)) == error::token_malformed);
  }
  SECTION("padding in base64url") {
    const std::string header = b64(R"({"alg":"HS256","typ":"JWT"})");
    std::string payload = b64(Claims::standard().json());
    if (payload.size() % 4 == 0) payload = b64(Claims::standard().json() + " ");
    payload += std::string(4 - payload.size() % 4, '=');
    // A correct MAC over the padded text: refused for the padding, not the signature.
    const std::string input = header + "." + payload;
    CHECK(verify_error(verifier, input + "." + b64(hmac_bytes(kSecret, input))) ==
          error::token_malformed);
    CHECK(verify_error(verifier, token + "=") == error::token_malformed);
    CHECK(verify_error(verifier, header + "==." + token.substr(first + 1)) ==
          error::token_malformed);
  }
  SECTION("stray characters") {
    CHECK(verify_error(verifier, " " + token) == error::token_malformed);
    CHECK(verify_error(verifier, token + "\n") == error::token_malformed);
    std::string plus = token;
    plus[first + 3] = '+';
    CHECK(verify_error(verifier, plus) == error::token_malformed);
  }
  SECTION("a header or payload that is not a JSON object") {
    CHECK(verify_error(verifier, sign_hs_jws("[\"HS256\"]", Claims::standard().json(), kSecret,
                                             JwtAlgorithm::HS256)) == error::token_malformed);
    CHECK(verify_error(verifier, sign_hs_jws(R"({"alg":"HS256"})", "\"claims\"", kSecret,
                                             JwtAlgorithm::HS256)) == error::token_malformed);
  }
  SECTION("no exp") {
    CHECK(verify_error(verifier, hs256(Claims::standard().erase("exp"))) == error::token_malformed);
  }
  SECTION("exp that is not a number") {
    CHECK(verify_error(verifier, hs256(Claims::standard().set("exp", "\"soon\""))) ==
          error::token_malformed);
  }
}

TEST_CASE("duplicate member names are token_malformed", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  // The token that says tenant_id twice is refused, not read either way.
  CHECK(verify_error(verifier, hs256(Claims::standard().add_duplicate(
                                   "tenant_id", "\"tenant-b\""))) == error::token_malformed);
  CHECK(verify_error(verifier, hs256(Claims::standard().add_duplicate("exp", "1"))) ==
        error::token_malformed);
  CHECK(verify_error(verifier,
                     sign_hs_jws(R"({"alg":"HS256","alg":"HS256"})", Claims::standard().json(),
                                 kSecret, JwtAlgorithm::HS256)) == error::token_malformed);
}

TEST_CASE("alg none never verifies: algorithm_unsupported", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  const std::string claims = b64(Claims::standard().json());
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"None"})", R"({"alg":"NONE"})"}) {
    // With some signature bytes (an empty third segment is malformed before any of this).
    CHECK(verify_error(verifier, b64(header) + "." + claims + ".AAAA") ==
          error::algorithm_unsupported);
    // Even with a valid MAC over the same input.
    CHECK(verify_error(verifier, sign_hs_jws(header, Claims::standard().json(), kSecret,
                                             JwtAlgorithm::HS256)) == error::algorithm_unsupported);
  }
  CHECK(verify_error(verifier, b64(R"({"alg":"none"})") + "." + claims + ".") ==
        error::token_malformed);
}

TEST_CASE("unknown algorithm names are algorithm_unsupported", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  for (const char* alg : {"hs256", "HS1", "RS1", "ES256K", "Ed25519", "EdDSA ", "", "RSA-OAEP"}) {
    INFO(alg);
    const std::string header = std::string(R"({"alg":")") + alg + "\"}";
    CHECK(verify_error(verifier, sign_hs_jws(header, Claims::standard().json(), kSecret,
                                             JwtAlgorithm::HS256)) == error::algorithm_unsupported);
  }
}

TEST_CASE("HS256 with an RS256 key's PEM as the secret is algorithm_disallowed",
          "[jwt][verifier][refusal]") {
  EVP_PKEY* rsa = shared_key(JwtAlgorithm::RS256);
  const std::string pem = public_pem(rsa);
  JwtVerifier verifier(test_options());
  REQUIRE_FALSE(verifier.add_pem_public_key(pem, JwtAlgorithm::RS256, "rsa-1"));
  // The classic confusion attack: MAC the token with the public key's PEM text.
  const std::string attack =
      sign_hs_jws(R"({"alg":"HS256"})", Claims::standard().json(), pem, JwtAlgorithm::HS256);
  CHECK(verify_error(verifier, attack) == error::algorithm_disallowed);
  const std::string attack_kid = sign_hs_jws(R"({"alg":"HS256","kid":"rsa-1"})",
                                             Claims::standard().json(), pem, JwtAlgorithm::HS256);
  CHECK(verify_error(verifier, attack_kid) == error::algorithm_disallowed);

  // With an HS256 secret configured too, the PEM-keyed MAC is simply a bad signature.
  REQUIRE_FALSE(verifier.add_hmac_secret(kSecret));
  CHECK(verify_error(verifier, attack) == error::signature_invalid);
}

TEST_CASE("a key bound to one RSA algorithm refuses the others", "[jwt][verifier][refusal]") {
  EVP_PKEY* rsa = shared_key(JwtAlgorithm::RS256);
  JwtVerifier verifier(test_options());
  REQUIRE_FALSE(verifier.add_pem_public_key(public_pem(rsa), JwtAlgorithm::RS256));
  for (const auto alg : {JwtAlgorithm::PS256, JwtAlgorithm::RS512}) {
    CHECK(verify_error(verifier, sign_jws(rsa, alg, header_for(alg), Claims::standard().json())) ==
          error::algorithm_disallowed);
  }
}

TEST_CASE("ES256 with a DER signature is signature_invalid", "[jwt][verifier][refusal]") {
  EVP_PKEY* ec = shared_key(JwtAlgorithm::ES256);
  JwtVerifier verifier(test_options());
  REQUIRE_FALSE(verifier.add_pem_public_key(public_pem(ec), JwtAlgorithm::ES256));
  const std::string header = header_for(JwtAlgorithm::ES256);
  const std::string der =
      sign_jws(ec, JwtAlgorithm::ES256, header, Claims::standard().json(), /*der=*/true);
  CHECK(verify_error(verifier, der) == error::signature_invalid);
  CHECK_FALSE(
      verify_error(verifier, sign_jws(ec, JwtAlgorithm::ES256, header, Claims::standard().json())));
}

TEST_CASE("a kid that matches nothing is key_unknown", "[jwt][verifier][refusal]") {
  JwtVerifier verifier(test_options());
  REQUIRE_FALSE(verifier.add_hmac_secret(kSecret, JwtAlgorithm::HS256, "k1"));
  CHECK_FALSE(verify_error(
      verifier, sign_hs_jwt(Claims::standard().json(), kSecret, JwtAlgorithm::HS256, "k1")));
  CHECK(verify_error(verifier, sign_hs_jwt(Claims::standard().json(), kSecret, JwtAlgorithm::HS256,
                                           "k2")) == error::key_unknown);
  // No key at all.
  JwtVerifier empty(test_options());
  CHECK(verify_error(empty, hs256(Claims::standard())) == error::key_unknown);
}

TEST_CASE("a wrong secret is signature_invalid", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  CHECK(verify_error(verifier,
                     sign_hs_jwt(Claims::standard().json(), "another-secret-of-32-bytes-long!")) ==
        error::signature_invalid);
  // A truncated MAC, and one with a byte too many.
  const std::string token = hs256(Claims::standard());
  const auto dot = token.rfind('.');
  std::string mac;
  REQUIRE(eudiplo_sse::detail::base64url_decode(token.substr(dot + 1), mac));
  CHECK(verify_error(verifier, token.substr(0, dot + 1) + b64(mac.substr(0, 16))) ==
        error::signature_invalid);
  CHECK(verify_error(verifier, token.substr(0, dot + 1) + b64(mac + "x")) ==
        error::signature_invalid);
}

TEST_CASE("expiry honours the leeway to the second", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();  // leeway 30 s
  const std::string token = hs256(Claims::standard().set("exp", std::to_string(kNow)));
  CHECK_FALSE(verify_error(verifier, token, kNow + 29));
  // Expired by one second beyond the leeway.
  CHECK(verify_error(verifier, token, kNow + 31) == error::token_expired);
  CHECK(verify_error(verifier, token, kNow + 30) == error::token_expired);  // now >= exp + leeway

  JwtVerifierOptions strict = test_options();
  strict.leeway = std::chrono::seconds(0);
  const auto no_leeway = hs256_verifier(strict);
  CHECK_FALSE(verify_error(no_leeway, token, kNow - 1));
  CHECK(verify_error(no_leeway, token, kNow) == error::token_expired);
}

TEST_CASE("nbf and iat in the future are token_not_yet_valid", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  CHECK(verify_error(verifier, hs256(Claims::standard().set("nbf", std::to_string(kNow + 31)))) ==
        error::token_not_yet_valid);
  CHECK_FALSE(
      verify_error(verifier, hs256(Claims::standard().set("nbf", std::to_string(kNow + 30)))));
  CHECK(verify_error(verifier, hs256(Claims::standard().set("iat", std::to_string(kNow + 60)))) ==
        error::token_not_yet_valid);
  CHECK_FALSE(
      verify_error(verifier, hs256(Claims::standard().set("iat", std::to_string(kNow + 20)))));
}

TEST_CASE("a wrong or missing issuer is issuer_mismatch", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  CHECK(verify_error(verifier, hs256(Claims::standard().set("iss", "\"someone-else\""))) ==
        error::issuer_mismatch);
  CHECK(verify_error(verifier, hs256(Claims::standard().set("iss", "\"Issuer\""))) ==
        error::issuer_mismatch);
  CHECK(verify_error(verifier, hs256(Claims::standard().erase("iss"))) == error::issuer_mismatch);
  // Not configured: not checked.
  JwtVerifierOptions any_issuer = test_options();
  any_issuer.issuer.clear();
  CHECK_FALSE(verify_error(hs256_verifier(any_issuer), hs256(Claims::standard().erase("iss"))));
}

TEST_CASE("aud must contain the configured audience", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  CHECK(verify_error(verifier, hs256(Claims::standard().set("aud", "\"other\""))) ==
        error::audience_mismatch);
  CHECK(verify_error(verifier, hs256(Claims::standard().set("aud", R"(["a","b"])"))) ==
        error::audience_mismatch);
  CHECK(verify_error(verifier, hs256(Claims::standard().set("aud", "[]"))) ==
        error::audience_mismatch);
  CHECK(verify_error(verifier, hs256(Claims::standard().erase("aud"))) == error::audience_mismatch);
  CHECK_FALSE(verify_error(verifier, hs256(Claims::standard().set("aud", R"(["a","audience"])"))));
  JwtVerifierOptions any_audience = test_options();
  any_audience.audience.clear();
  CHECK_FALSE(verify_error(hs256_verifier(any_audience), hs256(Claims::standard().erase("aud"))));
}

TEST_CASE("an unknown crit entry is critical_header_unknown", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  CHECK(verify_error(verifier, sign_hs_jws(R"({"alg":"HS256","crit":["b64"],"b64":false})",
                                           Claims::standard().json(), kSecret,
                                           JwtAlgorithm::HS256)) == error::critical_header_unknown);
  CHECK(verify_error(verifier, sign_hs_jws(R"({"alg":"HS256","crit":["exp"],"exp":1})",
                                           Claims::standard().json(), kSecret,
                                           JwtAlgorithm::HS256)) == error::critical_header_unknown);
}

TEST_CASE("jku, x5u and jwk headers are never followed", "[jwt][verifier][refusal]") {
  EVP_PKEY* trusted = shared_key(JwtAlgorithm::ES256);
  const auto attacker = generate_key(JwtAlgorithm::ES256);
  JwtVerifier verifier(test_options());
  REQUIRE_FALSE(verifier.add_pem_public_key(public_pem(trusted), JwtAlgorithm::ES256, "trusted"));
  const std::string header =
      R"({"alg":"ES256","kid":"trusted","jku":"http://127.0.0.1:9/jwks.json",)"
      R"("x5u":"http://127.0.0.1:9/cert.pem","jwk":)" +
      public_jwk(attacker.get(), JwtAlgorithm::ES256, "trusted") + "}";
  // Signed by the key the token embeds: worthless, the configured key decides.
  CHECK(verify_error(verifier, sign_jws(attacker.get(), JwtAlgorithm::ES256, header,
                                        Claims::standard().json())) == error::signature_invalid);
  // The same headers on a token the trusted key signed are harmless.
  CHECK_FALSE(verify_error(
      verifier, sign_jws(trusted, JwtAlgorithm::ES256, header, Claims::standard().json())));
}

TEST_CASE("a missing, empty or non-string tenant is tenant_missing", "[jwt][verifier][refusal]") {
  const auto verifier = hs256_verifier();
  CHECK(verify_error(verifier, hs256(Claims::standard().erase("tenant_id"))) ==
        error::tenant_missing);
  CHECK(verify_error(verifier, hs256(Claims::standard().set("tenant_id", "\"\""))) ==
        error::tenant_missing);
  for (const char* value : {"42", "true", "null", R"(["tenant-a"])", R"({"id":"tenant-a"})"}) {
    INFO(value);
    CHECK(verify_error(verifier, hs256(Claims::standard().set("tenant_id", value))) ==
          error::tenant_missing);
  }
  CHECK(make_error_code(error::tenant_missing) == eudiplo_sse::auth_failure::forbidden);
}

TEST_CASE("the tenant claim name is configurable", "[jwt][verifier]") {
  JwtVerifierOptions options = test_options();
  options.tenant_claim = "org";
  const auto verifier = hs256_verifier(options);
  const VerifyResult result =
      verifier.verify(hs256(Claims::standard().set("org", "\"org-7\"")), at(kNow));
  REQUIRE_FALSE(result.error);
  CHECK(result.principal.tenant == "org-7");
  // tenant_id is just another claim now.
  CHECK(verify_error(verifier, hs256(Claims::standard())) == error::tenant_missing);
}

TEST_CASE("required roles are any-of: role_missing otherwise", "[jwt][verifier][refusal]") {
  JwtVerifierOptions options = test_options();
  options.required_roles = {"admin", "writer"};
  const auto verifier = hs256_verifier(options);
  CHECK(verify_error(verifier, hs256(Claims::standard())) == error::role_missing);  // reader
  CHECK(verify_error(verifier, hs256(Claims::standard().erase("roles"))) == error::role_missing);
  CHECK(verify_error(verifier, hs256(Claims::standard().set("roles", "[]"))) ==
        error::role_missing);
  CHECK(verify_error(verifier, hs256(Claims::standard().set("roles", R"(["Admin"])"))) ==
        error::role_missing);
  CHECK_FALSE(
      verify_error(verifier, hs256(Claims::standard().set("roles", R"(["reader","writer"])"))));
  CHECK_FALSE(verify_error(verifier, hs256(Claims::standard().set("roles", R"(["admin"])"))));
  CHECK(make_error_code(error::role_missing) == eudiplo_sse::auth_failure::forbidden);
}

TEST_CASE("key configuration refuses unusable keys with key_invalid", "[jwt][verifier][keys]") {
  JwtVerifier verifier(test_options());
  CHECK(verifier.add_hmac_secret(std::string(31, 'k')) == error::key_invalid);
  CHECK(verifier.add_hmac_secret(std::string(32, 'k'), JwtAlgorithm::HS384) == error::key_invalid);
  CHECK(verifier.add_hmac_secret(std::string(63, 'k'), JwtAlgorithm::HS512) == error::key_invalid);
  CHECK(verifier.add_hmac_secret(kSecret64, JwtAlgorithm::RS256) == error::key_invalid);

  const std::string rsa_pem = public_pem(shared_key(JwtAlgorithm::RS256));
  const std::string ec_pem = public_pem(shared_key(JwtAlgorithm::ES256));
  CHECK(verifier.add_pem_public_key(rsa_pem, JwtAlgorithm::ES256) == error::key_invalid);
  CHECK(verifier.add_pem_public_key(rsa_pem, JwtAlgorithm::EdDSA) == error::key_invalid);
  CHECK(verifier.add_pem_public_key(rsa_pem, JwtAlgorithm::HS256) == error::key_invalid);
  CHECK(verifier.add_pem_public_key(ec_pem, JwtAlgorithm::RS256) == error::key_invalid);
  CHECK(verifier.add_pem_public_key(ec_pem, JwtAlgorithm::ES384) == error::key_invalid);  // P-256
  CHECK(verifier.add_pem_public_key(public_pem(shared_key(JwtAlgorithm::ES512)),
                                    JwtAlgorithm::ES256) == error::key_invalid);
  CHECK(verifier.add_pem_public_key("not a key", JwtAlgorithm::RS256) == error::key_invalid);
  CHECK(verifier.add_pem_public_key("", JwtAlgorithm::RS256) == error::key_invalid);
  const auto small_rsa = generate_key(JwtAlgorithm::RS256, 1024);
  CHECK(verifier.add_pem_public_key(public_pem(small_rsa.get()), JwtAlgorithm::RS256) ==
        error::key_invalid);
  CHECK(verifier.key_count() == 0);

  CHECK_FALSE(verifier.add_hmac_secret(kSecret));
  CHECK_FALSE(verifier.add_pem_public_key(rsa_pem, JwtAlgorithm::PS384));
  CHECK(verifier.key_count() == 2);
}

TEST_CASE("the cache answers a repeated token until it expires", "[jwt][verifier][cache]") {
  const auto verifier = hs256_verifier(test_options(/*cache_size=*/64));
  const std::string token = hs256(Claims::standard().set("exp", std::to_string(kNow + 100)));
  REQUIRE_FALSE(verify_error(verifier, token));
  CHECK(verifier.cache_hits() == 0);
  const VerifyResult again = verifier.verify(token, at(kNow + 5));
  REQUIRE_FALSE(again.error);
  CHECK(verifier.cache_hits() == 1);
  CHECK(again.principal.tenant == "tenant-a");
  CHECK(again.principal.roles == std::vector<std::string>{"reader"});
  CHECK(again.principal.expires_at == at(kNow + 100 + 30));
  // Past exp + leeway the cached entry is not used, and the full check says why.
  CHECK(verify_error(verifier, token, kNow + 130) == error::token_expired);
  CHECK(verifier.cache_hits() == 1);
  // Before iat - leeway (a clock that went back) likewise.
  CHECK(verify_error(verifier, token, kNow - 100) == error::token_not_yet_valid);
  CHECK(verifier.cache_hits() == 1);
  // A different token (one changed bit) is never a hit.
  CHECK(verify_error(verifier, flip_signature_bit(token)) == error::signature_invalid);
  CHECK(verifier.cache_hits() == 1);
}

TEST_CASE("refusals are not cached", "[jwt][verifier][cache]") {
  JwtVerifierOptions options = test_options(64);
  options.required_roles = {"admin"};
  const auto verifier = hs256_verifier(options);
  const std::string token = hs256(Claims::standard());
  CHECK(verify_error(verifier, token) == error::role_missing);
  CHECK(verify_error(verifier, token) == error::role_missing);
  CHECK(verifier.cache_hits() == 0);
}

TEST_CASE("the cache holds at most cache_size tokens", "[jwt][verifier][cache]") {
  const auto verifier = hs256_verifier(test_options(/*cache_size=*/16));
  std::vector<std::string> tokens;
  for (int i = 0; i < 200; ++i)
    tokens.push_back(hs256(Claims::standard().set("jti", std::to_string(i))));
  for (const auto& token : tokens) REQUIRE_FALSE(verify_error(verifier, token));
  for (const auto& token : tokens) REQUIRE_FALSE(verify_error(verifier, token));
  CHECK(verifier.cache_hits() <= 16);
  // The most recent one is still there.
  const auto before = verifier.cache_hits();
  REQUIRE_FALSE(verify_error(verifier, tokens.back()));
  CHECK(verifier.cache_hits() == before + 1);
}

TEST_CASE("verify is safe from many threads at once, with the cache under eviction",
          "[jwt][verifier][threads]") {
  JwtVerifier verifier(test_options(/*cache_size=*/8));
  REQUIRE_FALSE(verifier.add_hmac_secret(kSecret));
  EVP_PKEY* es = shared_key(JwtAlgorithm::ES256);
  EVP_PKEY* rs = shared_key(JwtAlgorithm::RS256);
  REQUIRE_FALSE(verifier.add_pem_public_key(public_pem(es), JwtAlgorithm::ES256));
  REQUIRE_FALSE(verifier.add_pem_public_key(public_pem(rs), JwtAlgorithm::RS256));
  struct Case {
    std::string token;
    std::error_code expected;
    std::string tenant;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 12; ++i) {
    const std::string tenant = "tenant-" + std::to_string(i);
    const auto claims = Claims::standard().set("tenant_id", "\"" + tenant + "\"");
    std::string token;
    switch (i % 3) {
      case 0: token = hs256(claims); break;
      case 1:
        token = sign_jws(es, JwtAlgorithm::ES256, header_for(JwtAlgorithm::ES256), claims.json());
        break;
      default:
        token = sign_jws(rs, JwtAlgorithm::RS256, header_for(JwtAlgorithm::RS256), claims.json());
        break;
    }
    cases.push_back({token, {}, tenant});
    cases.push_back({flip_signature_bit(token, static_cast<std::size_t>(i)),
                     make_error_code(error::signature_invalid), ""});
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 100; ++round) {
        const Case& c = cases[static_cast<std::size_t>(round * 7 + t) % cases.size()];
        const VerifyResult result = verifier.verify(c.token, at(kNow));
        if (result.error != c.expected || result.principal.tenant != c.tenant) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(mismatches == 0);
  CHECK(verifier.cache_hits() > 0);
}

TEST_CASE("a moved verifier keeps its keys and options", "[jwt][verifier]") {
  JwtVerifier original = hs256_verifier();
  JwtVerifier moved(std::move(original));
  CHECK(moved.key_count() == 1);
  CHECK(moved.options().issuer == "issuer");
  CHECK_FALSE(verify_error(moved, hs256(Claims::standard())));
}

TEST_CASE("a signed token whose JSON holds a 0x00 byte is refused", "[jwt][verifier][issue11]") {
  const auto verifier = hs256_verifier();
  const std::string claims = Claims::standard().json();
  // Validly signed, so only the byte can be the reason.
  const std::string nul_payload =
      sign_hs_jws(R"({"alg":"HS256"})", claims + std::string("\0{\"tenant_id\":\"b\"}", 18),
                  kSecret, JwtAlgorithm::HS256);
  CHECK(verify_error(verifier, nul_payload) == error::token_malformed);
  const std::string nul_header =
      sign_hs_jws(std::string("{\"alg\":\"HS256\"}\0x", 17), claims, kSecret, JwtAlgorithm::HS256);
  CHECK(verify_error(verifier, nul_header) == error::token_malformed);
  CHECK_FALSE(verify_error(
      verifier, sign_hs_jws(R"({"alg":"HS256"})", claims, kSecret, JwtAlgorithm::HS256)));
}

TEST_CASE("sid binds a token to one session in the principal", "[jwt][verifier][issue11]") {
  const auto verifier = hs256_verifier();
  const VerifyResult bound =
      verifier.verify(hs256(Claims::standard().set("sid", "\"s-1\"")), at(kNow));
  REQUIRE_FALSE(bound.error);
  CHECK(bound.principal.session_id == "s-1");
  const VerifyResult unbound = verifier.verify(hs256(Claims::standard()), at(kNow));
  REQUIRE_FALSE(unbound.error);
  CHECK(unbound.principal.session_id.empty());
  CHECK(verify_error(verifier, hs256(Claims::standard().set("sid", "42"))) ==
        error::token_malformed);

  // Renamed (an OpenID Connect provider's `sid` names its own login session).
  JwtVerifierOptions renamed = test_options();
  renamed.session_claim = "stream_sid";
  const auto other = hs256_verifier(renamed);
  const VerifyResult oidc =
      other.verify(hs256(Claims::standard().set("sid", "\"op-login-1\"")), at(kNow));
  REQUIRE_FALSE(oidc.error);
  CHECK(oidc.principal.session_id.empty());
  const VerifyResult ours =
      other.verify(hs256(Claims::standard().set("stream_sid", "\"s-2\"")), at(kNow));
  REQUIRE_FALSE(ours.error);
  CHECK(ours.principal.session_id == "s-2");
}

TEST_CASE("expires_at is exp plus the leeway, where verify() stops accepting",
          "[jwt][verifier][issue11]") {
  JwtVerifierOptions options = test_options(/*cache_size=*/64);
  options.leeway = std::chrono::seconds(30);
  const auto verifier = hs256_verifier(options);
  const std::string token = hs256(Claims::standard().set("exp", std::to_string(kNow + 5)));
  const VerifyResult fresh = verifier.verify(token, at(kNow));
  REQUIRE_FALSE(fresh.error);
  CHECK(fresh.principal.expires_at == at(kNow + 35));
  // Inside the leeway, from the cache and without it, the same instant.
  const VerifyResult late = verifier.verify(token, at(kNow + 34));
  REQUIRE_FALSE(late.error);
  CHECK(late.principal.expires_at == at(kNow + 35));
  CHECK(verify_error(verifier, token, kNow + 35) == error::token_expired);
}
