#include "eudiplo_sse/jwt_signer.hpp"
#include "eudiplo_sse/detail/jws_signer.hpp"

#include <string>

#include "catch.hpp"
#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "jwt_test_claims.hpp"

using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using eudiplo_sse::sign_hs_jws;
using eudiplo_sse::sign_hs_jwt;
using namespace jwt_test;

TEST_CASE("sign_hs_jws reproduces RFC 7515 appendix A.1 byte for byte", "[jwt][signer]") {
  std::string key;
  REQUIRE(eudiplo_sse::detail::base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
      key));
  const std::string token = sign_hs_jws("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}",
                                        "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
                                        "\"http://example.com/is_root\":true}",
                                        key, JwtAlgorithm::HS256);
  CHECK(token ==
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
        "VlfQ."
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST_CASE("sign_hs_jwt issues tokens JwtVerifier accepts", "[jwt][signer]") {
  const std::string secret(64, 's');
  for (const auto alg : {JwtAlgorithm::HS256, JwtAlgorithm::HS384, JwtAlgorithm::HS512}) {
    JwtVerifierOptions options;
    options.issuer = "issuer";
    options.cache_size = 0;
    JwtVerifier verifier(options);
    REQUIRE_FALSE(verifier.add_hmac_secret(secret, alg, "key-1"));
    const std::string token = sign_hs_jwt(Claims::standard().json(), secret, alg, "key-1");
    REQUIRE_FALSE(token.empty());
    const auto result = verifier.verify(token, at(kNow));
    REQUIRE_FALSE(result.error);
    CHECK(result.principal.tenant == "tenant-a");

    std::string header;
    REQUIRE(eudiplo_sse::detail::base64url_decode(token.substr(0, token.find('.')), header));
    CHECK(header == "{\"alg\":\"" + std::string(eudiplo_sse::to_string(alg)) +
                        "\",\"typ\":\"JWT\",\"kid\":\"key-1\"}");
  }
}

TEST_CASE("sign_hs_jwt escapes the kid and omits an empty one", "[jwt][signer]") {
  const std::string secret(32, 's');
  std::string header;
  const std::string quoted = sign_hs_jwt("{}", secret, JwtAlgorithm::HS256, "a\"b");
  REQUIRE(eudiplo_sse::detail::base64url_decode(quoted.substr(0, quoted.find('.')), header));
  CHECK(header == R"({"alg":"HS256","typ":"JWT","kid":"a\"b"})");
  const std::string plain = sign_hs_jwt("{}", secret);
  REQUIRE(eudiplo_sse::detail::base64url_decode(plain.substr(0, plain.find('.')), header));
  CHECK(header == R"({"alg":"HS256","typ":"JWT"})");
}

TEST_CASE("sign_hs_jwt refuses non-HMAC algorithms and short secrets", "[jwt][signer]") {
  CHECK(sign_hs_jwt("{}", std::string(64, 's'), JwtAlgorithm::RS256).empty());
  CHECK(sign_hs_jwt("{}", std::string(64, 's'), JwtAlgorithm::EdDSA).empty());
  CHECK(sign_hs_jwt("{}", std::string(31, 's')).empty());
  CHECK(sign_hs_jwt("{}", std::string(47, 's'), JwtAlgorithm::HS384).empty());
  CHECK_FALSE(sign_hs_jwt("{}", std::string(32, 's')).empty());
}
