// The request-body reader of the session API (examples/session_api/json_body.hpp).
#include "json_body.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::server::parse_json_object;

namespace {
std::string nested(char open, char close, int depth, const std::string& inner) {
  return "{\"a\":" + std::string(static_cast<std::size_t>(depth), open) + inner +
         std::string(static_cast<std::size_t>(depth), close) + "}";
}
}  // namespace

TEST_CASE("json body: flat objects parse, other documents do not", "[json_body]") {
  CHECK(parse_json_object(R"({"status":"fetched"})"));
  CHECK(parse_json_object(R"({"ttlSeconds":60, "note":"[[[{{{"})"));  // brackets in a string
  CHECK_FALSE(parse_json_object("[]"));
  CHECK_FALSE(parse_json_object(R"({"a":1} x)"));
  CHECK_FALSE(parse_json_object(std::string("{\"a\":\"\xff\"}")));  // not UTF-8
}

TEST_CASE("json body: nesting is bounded before parsing", "[json_body]") {
  CHECK(parse_json_object(nested('[', ']', 15, "1")));
  CHECK_FALSE(parse_json_object(nested('[', ']', 16, "1")));
  // Far deeper than any stack would hold with a recursive parser or destructor.
  CHECK_FALSE(parse_json_object(nested('[', ']', 200000, "")));
  CHECK_FALSE(parse_json_object(nested('{', '}', 200000, "")));
  // Escaped quotes do not end a string early: the brackets inside stay text.
  CHECK(parse_json_object(R"({"s":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"));
}
