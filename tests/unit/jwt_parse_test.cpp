// The token parser without cryptography (detail/jwt_parse.hpp).
#include "eudiplo_sse/detail/jwt_parse.hpp"

#include <string>

#include "catch.hpp"
#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/error.hpp"

using eudiplo_sse::error;
using eudiplo_sse::detail::base64url_encode;
using namespace eudiplo_sse::detail;

namespace {

std::string token_of(const std::string& header, const std::string& payload,
                     const std::string& signature = "sig") {
  return base64url_encode(header) + "." + base64url_encode(payload) + "." +
         base64url_encode(signature);
}

std::error_code header_error(const std::string& json) {
  JwtHeader header;
  return parse_jwt_header(json, header);
}

std::error_code claims_error(const std::string& json) {
  JwtClaims claims;
  return parse_jwt_claims(json, "tenant_id", claims);
}

}  // namespace

TEST_CASE("split_jwt takes three non-empty segments", "[jwt][parse]") {
  JwtParts parts;
  REQUIRE_FALSE(split_jwt("aaa.bbb.ccc", parts));
  CHECK(parts.header == "aaa");
  CHECK(parts.payload == "bbb");
  CHECK(parts.signature == "ccc");
  CHECK(parts.signing_input == "aaa.bbb");

  CHECK(split_jwt("", parts) == error::token_missing);
  CHECK(split_jwt("aaa", parts) == error::token_malformed);
  CHECK(split_jwt("aaa.bbb", parts) == error::token_malformed);
  CHECK(split_jwt("a.b.c.d.e", parts) == error::token_malformed);  // JWE compact
  CHECK(split_jwt("a.b.c.d", parts) == error::token_malformed);
  CHECK(split_jwt(".bbb.ccc", parts) == error::token_malformed);
  CHECK(split_jwt("aaa..ccc", parts) == error::token_malformed);
  CHECK(split_jwt("aaa.bbb.", parts) == error::token_malformed);  // unsecured JWS
}

TEST_CASE("split_jwt refuses more than 8 KiB before looking at the content", "[jwt][parse]") {
  JwtParts parts;
  const std::string at_limit = std::string(kMaxTokenSize - 4, 'a') + ".b.c";
  REQUIRE(at_limit.size() == 8192);
  CHECK_FALSE(split_jwt(at_limit, parts));
  CHECK(split_jwt(at_limit + "c", parts) == error::token_too_large);
  CHECK(split_jwt(std::string(9 * 1024, '.'), parts) == error::token_too_large);
}

TEST_CASE("parse_jwt_header reads alg, kid and crit", "[jwt][parse]") {
  JwtHeader header;
  REQUIRE_FALSE(
      parse_jwt_header(R"({"alg":"RS256","kid":"k1","typ":"JWT","crit":["exp"]})", header));
  CHECK(header.alg == "RS256");
  REQUIRE(header.kid);
  CHECK(*header.kid == "k1");
  CHECK(header.crit == std::vector<std::string>{"exp"});

  REQUIRE_FALSE(parse_jwt_header(R"({"alg":"HS256"})", header));
  CHECK_FALSE(header.kid);
  CHECK(header.crit.empty());
}

TEST_CASE("parse_jwt_header refuses malformed headers", "[jwt][parse]") {
  CHECK(header_error(R"({"kid":"k1"})") == error::token_malformed);  // no alg
  CHECK(header_error(R"({"alg":256})") == error::token_malformed);
  CHECK(header_error(R"({"alg":"HS256","kid":7})") == error::token_malformed);
  CHECK(header_error(R"({"alg":"HS256","crit":[]})") == error::token_malformed);
  CHECK(header_error(R"({"alg":"HS256","crit":"b64"})") == error::token_malformed);
  CHECK(header_error(R"({"alg":"HS256","crit":[1]})") == error::token_malformed);
  CHECK(header_error(R"(["alg","HS256"])") == error::token_malformed);
  CHECK(header_error(R"("HS256")") == error::token_malformed);
  CHECK(header_error(R"({"alg":"HS256"} {})") == error::token_malformed);  // trailing data
  CHECK(header_error(R"({"alg":"HS256",})") == error::token_malformed);
  CHECK(header_error("{\"alg\":\"HS\xff\"}") == error::token_malformed);  // invalid UTF-8
  CHECK(header_error("") == error::token_malformed);
}

TEST_CASE("duplicate member names are refused at every depth", "[jwt][parse]") {
  CHECK(header_error(R"({"alg":"HS256","alg":"none"})") == error::token_malformed);
  CHECK(header_error(R"({"alg":"HS256","x":{"a":1,"a":2}})") == error::token_malformed);
  CHECK(claims_error(R"({"tenant_id":"a","exp":1,"tenant_id":"b"})") == error::token_malformed);
  // The same name after unescaping is the same name.
  CHECK(claims_error(R"({"tenant_id":"a","tenant\u005fid":"b"})") == error::token_malformed);
  CHECK(claims_error(R"({"x":[{"k":1},{"k":2,"k":3}]})") == error::token_malformed);
  // Many members take the sorting path.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  CHECK_FALSE(claims_error(many + "\"m40\":0}"));
  CHECK(claims_error(many + "\"m17\":0}") == error::token_malformed);
  // Names that differ only after an embedded NUL are different names.
  CHECK_FALSE(claims_error("{\"a\":1,\"a\\u0000\":2}"));
}

TEST_CASE("deep nesting is refused without recursion", "[jwt][parse]") {
  const std::string deep = "{\"x\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  CHECK(claims_error(deep) == error::token_malformed);
  const std::string shallow = "{\"x\":" + std::string(20, '[') + std::string(20, ']') + "}";
  CHECK_FALSE(claims_error(shallow));
}

TEST_CASE("parse_jwt_claims reads the registered claims and the tenant", "[jwt][parse]") {
  JwtClaims claims;
  REQUIRE_FALSE(parse_jwt_claims(
      R"({"iss":"i","sub":"s","aud":["a","b"],"exp":1700000000.5,"nbf":10,"iat":20,)"
      R"("tenant_id":"t1","roles":["r1","r2"],"other":{"nested":true}})",
      "tenant_id", claims));
  CHECK(claims.iss == std::string("i"));
  CHECK(claims.sub == "s");
  CHECK(claims.aud == std::vector<std::string>{"a", "b"});
  CHECK(claims.exp == 1700000000.5);
  CHECK(claims.nbf == 10.0);
  CHECK(claims.iat == 20.0);
  CHECK(claims.tenant == std::string("t1"));
  CHECK(claims.roles == std::vector<std::string>{"r1", "r2"});

  REQUIRE_FALSE(parse_jwt_claims(R"({"aud":"only","tid":"x"})", "tid", claims));
  CHECK(claims.aud == std::vector<std::string>{"only"});
  CHECK(claims.tenant == std::string("x"));
  CHECK_FALSE(claims.exp);

  // A tenant that is not a string is reported as absent, not as malformed.
  REQUIRE_FALSE(parse_jwt_claims(R"({"tenant_id":42})", "tenant_id", claims));
  CHECK_FALSE(claims.tenant);

  // The tenant claim may be a registered claim.
  REQUIRE_FALSE(parse_jwt_claims(R"({"sub":"me"})", "sub", claims));
  CHECK(claims.tenant == std::string("me"));
  CHECK(claims.sub == "me");
}

TEST_CASE("parse_jwt_claims refuses claims of the wrong type", "[jwt][parse]") {
  CHECK(claims_error(R"({"exp":"1700000000"})") == error::token_malformed);
  CHECK(claims_error(R"({"nbf":null})") == error::token_malformed);
  CHECK(claims_error(R"({"iat":true})") == error::token_malformed);
  CHECK(claims_error(R"({"iss":1})") == error::token_malformed);
  CHECK(claims_error(R"({"sub":["s"]})") == error::token_malformed);
  CHECK(claims_error(R"({"aud":1})") == error::token_malformed);
  CHECK(claims_error(R"({"aud":["a",1]})") == error::token_malformed);
  CHECK(claims_error(R"({"roles":"admin"})") == error::token_malformed);
  CHECK(claims_error(R"({"roles":["admin",null]})") == error::token_malformed);
  CHECK(claims_error(R"({"exp":NaN})") == error::token_malformed);
  CHECK(claims_error(R"({"exp":Infinity})") == error::token_malformed);
  CHECK(claims_error(R"([])") == error::token_malformed);
}

TEST_CASE("parse_jwt runs every stage on bytes", "[jwt][parse]") {
  ParsedJwt parsed;
  REQUIRE_FALSE(
      parse_jwt(token_of(R"({"alg":"HS256"})", R"({"tenant_id":"t","exp":5})", "\x01\x02"),
                "tenant_id", parsed));
  CHECK(parsed.header.alg == "HS256");
  CHECK(parsed.signature == "\x01\x02");
  CHECK(parsed.claims.tenant == std::string("t"));

  CHECK(parse_jwt(token_of(R"({"alg":"HS256"})", "not json"), "tenant_id", parsed) ==
        error::token_malformed);
  CHECK(parse_jwt("e30=.e30.e30", "tenant_id", parsed) == error::token_malformed);  // padding
  CHECK(parse_jwt("e30.e30.e3*", "tenant_id", parsed) == error::token_malformed);
  // Arbitrary bytes never crash it.
  std::string junk;
  for (int i = 0; i < 2000; ++i) {
    junk.push_back(static_cast<char>((i * 131 + 7) & 0xff));
    if (i % 97 == 0) junk.push_back('.');
    (void)parse_jwt(junk, "tenant_id", parsed);
  }
}

TEST_CASE("a 0x00 byte anywhere in header or claims JSON is refused", "[jwt][parse][issue11]") {
  // RapidJSON takes 0x00 for the end of input: without the check, the second object
  // (another tenant) would be silently ignored, where other JOSE libraries refuse.
  const std::string trailing("{\"tenant_id\":\"a\",\"exp\":5}\0{\"tenant_id\":\"b\"}", 43);
  REQUIRE(trailing.size() == 43);
  CHECK(claims_error(trailing) == error::token_malformed);
  CHECK(claims_error(std::string("{\"exp\":5}\0", 10)) == error::token_malformed);
  CHECK(header_error(std::string("{\"alg\":\"HS256\"}\0", 16)) == error::token_malformed);
  CHECK(header_error(std::string("\0{\"alg\":\"HS256\"}", 16)) == error::token_malformed);
  // The same JSON without the byte is fine, so the byte is what is refused.
  CHECK_FALSE(claims_error("{\"tenant_id\":\"a\",\"exp\":5}"));
  CHECK_FALSE(header_error("{\"alg\":\"HS256\"}"));
  // Escaped, U+0000 is a character like any other.
  CHECK_FALSE(claims_error("{\"tenant_id\":\"a\\u0000b\"}"));

  ParsedJwt parsed;
  CHECK(parse_jwt(token_of(R"({"alg":"HS256"})", trailing), "tenant_id", parsed) ==
        error::token_malformed);
}

TEST_CASE("the session claim binds a token: a non-empty string or refused",
          "[jwt][parse][issue11]") {
  JwtClaims claims;
  REQUIRE_FALSE(parse_jwt_claims(R"({"sid":"abc-1","tenant_id":"t"})", "tenant_id", claims));
  CHECK(claims.session == std::string("abc-1"));
  REQUIRE_FALSE(parse_jwt_claims(R"({"tenant_id":"t"})", "tenant_id", claims));
  CHECK_FALSE(claims.session);
  // A binding that cannot be read must not become "bound to nothing".
  CHECK(claims_error(R"({"sid":7})") == error::token_malformed);
  CHECK(claims_error(R"({"sid":""})") == error::token_malformed);
  CHECK(claims_error(R"({"sid":null})") == error::token_malformed);
  CHECK(claims_error(R"({"sid":["a"]})") == error::token_malformed);
  // Another claim name, or none at all.
  REQUIRE_FALSE(
      parse_jwt_claims(R"({"sid":"x","stream_sid":"y"})", "tenant_id", claims, "stream_sid"));
  CHECK(claims.session == std::string("y"));
  REQUIRE_FALSE(parse_jwt_claims(R"({"sid":7})", "tenant_id", claims, ""));
  CHECK_FALSE(claims.session);
}
