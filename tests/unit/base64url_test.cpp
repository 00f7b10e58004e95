#include "eudiplo_sse/detail/base64url.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::detail::base64url_decode;
using eudiplo_sse::detail::base64url_encode;

TEST_CASE("base64url encodes RFC 4648 test vectors without padding", "[base64url]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  // The two characters where base64url differs from base64 (+/ -> -_).
  CHECK(base64url_encode(std::string("\xfb\xff\xbf", 3)) == "-_-_");
}

TEST_CASE("base64url decodes what it encodes, for every length and byte", "[base64url]") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>((i * 37 + 11) & 0xff));
    std::string decoded;
    REQUIRE(base64url_decode(base64url_encode(bytes), decoded));
    REQUIRE(decoded == bytes);
  }
}

TEST_CASE("base64url decoding is strict", "[base64url]") {
  std::string out;
  CHECK(base64url_decode("", out));
  CHECK(out.empty());
  CHECK(base64url_decode("Zm9vYg", out));
  CHECK(out == "foob");

  SECTION("padding is refused") {
    CHECK_FALSE(base64url_decode("Zm9vYg==", out));
    CHECK_FALSE(base64url_decode("Zm8=", out));
    CHECK_FALSE(base64url_decode("====", out));
  }
  SECTION("the standard alphabet's + and / are refused") {
    CHECK_FALSE(base64url_decode("-_+/", out));
    CHECK_FALSE(base64url_decode("ab/d", out));
  }
  SECTION("whitespace and other stray characters are refused") {
    CHECK_FALSE(base64url_decode("Zm9v Yg", out));
    CHECK_FALSE(base64url_decode("Zm9v\nYg", out));
    CHECK_FALSE(base64url_decode("Zm9v.Yg", out));
    CHECK_FALSE(base64url_decode(std::string("Zm9v\0Yg", 7), out));
    CHECK_FALSE(base64url_decode("Zm9v\xc3\xa9", out));
  }
  SECTION("a lone trailing character is refused") {
    CHECK_FALSE(base64url_decode("Z", out));
    CHECK_FALSE(base64url_decode("Zm9vY", out));
  }
  SECTION("non-canonical trailing bits are refused") {
    // "Zg" is "f"; "Zh".."Zv" decode to the same byte with stray low bits set.
    CHECK(base64url_decode("Zg", out));
    CHECK_FALSE(base64url_decode("Zh", out));
    CHECK_FALSE(base64url_decode("Zv", out));
    // "Zm8" is "fo"; "Zm9" carries a set bit in the two unused ones.
    CHECK(base64url_decode("Zm8", out));
    CHECK_FALSE(base64url_decode("Zm9", out));
  }
}
