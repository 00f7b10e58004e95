#include "eudiplo_sse/session.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::is_valid_session_id;

TEST_CASE("session ids are 1..128 characters", "[session]") {
  CHECK_FALSE(is_valid_session_id(""));
  CHECK(is_valid_session_id("a"));
  CHECK(is_valid_session_id(std::string(127, 'x')));
  CHECK(is_valid_session_id(std::string(128, 'x')));
  CHECK_FALSE(is_valid_session_id(std::string(129, 'x')));
  CHECK_FALSE(is_valid_session_id(std::string(100000, 'x')));
  CHECK(eudiplo_sse::max_session_id_length == 128);
  CHECK(is_valid_session_id("123e4567-e89b-42d3-a456-426614174000"));
}

TEST_CASE("session ids are made of [A-Za-z0-9._~-] only", "[session]") {
  auto expected = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '~' || c == '-';
  };
  int accepted = 0;
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    INFO("byte " << c);
    CHECK(is_valid_session_id(std::string(1, ch)) == expected(static_cast<unsigned char>(c)));
    // In the middle of an otherwise valid id as well.
    CHECK(is_valid_session_id("ab" + std::string(1, ch) + "cd") ==
          expected(static_cast<unsigned char>(c)));
    accepted += is_valid_session_id(std::string(1, ch)) ? 1 : 0;
  }
  CHECK(accepted == 26 + 26 + 10 + 4);
  CHECK(is_valid_session_id("AZaz09._~-"));
  for (const char* bad : {"a/b", "a b", "a%2Fb", "a+b", "a:b", "a?b", "a#b", "..%00", "\xC3\xA9",
                          "a\nb", "a\\b", "a\"b", "<a>", "a*"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_session_id(bad));
  }
  CHECK_FALSE(is_valid_session_id(std::string("ab\0cd", 5)));
}
