#include "token_claims.hpp"

#include "catch.hpp"
#include "eudiplo_sse/jwt_signer.hpp"

using namespace eudiplo_sse;
using namespace eudiplo_sse::server;

TEST_CASE("jwt_has_claim reads the payload of a compact JWS", "[claims]") {
  const std::string secret = "unit-test-secret-0123456789abcdef-0123";
  const auto with_sid = sign_hs_jwt(R"({"sub":"a","sid":"s-1","exp":1})", secret);
  const auto without = sign_hs_jwt(R"({"sub":"a","side":"x","exp":1})", secret);
  REQUIRE_FALSE(with_sid.empty());
  CHECK(jwt_has_claim(with_sid, "sid"));
  CHECK(jwt_has_claim(with_sid, "sub"));
  CHECK_FALSE(jwt_has_claim(without, "sid"));
  CHECK_FALSE(jwt_has_claim("", "sid"));
  CHECK_FALSE(jwt_has_claim("abc", "sid"));
  CHECK_FALSE(jwt_has_claim("a.!!!.c", "sid"));
  CHECK_FALSE(jwt_has_claim("a.WzFd.c", "sid"));  // payload [1]: not an object
}
