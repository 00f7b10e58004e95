#include "eudiplo_sse/iso8601.hpp"

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "catch.hpp"

using eudiplo_sse::parse_iso8601;
using eudiplo_sse::TimePoint;
using eudiplo_sse::to_iso8601;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

TimePoint at(std::int64_t unix_seconds, std::int64_t ms = 0) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(seconds(unix_seconds) + milliseconds(ms)));
}

}  // namespace

TEST_CASE("to_iso8601 formats UTC with milliseconds and Z", "[iso8601]") {
  CHECK(to_iso8601(TimePoint{}) == "1970-01-01T00:00:00.000Z");
  CHECK(to_iso8601(at(1768478400)) == "2026-01-15T12:00:00.000Z");
  CHECK(to_iso8601(at(1768478400, 7)) == "2026-01-15T12:00:00.007Z");
  CHECK(to_iso8601(at(1768478400, 999)) == "2026-01-15T12:00:00.999Z");
  CHECK(to_iso8601(at(2147483648)) == "2038-01-19T03:14:08.000Z");
}

TEST_CASE("to_iso8601 handles leap years and century rules", "[iso8601]") {
  CHECK(to_iso8601(at(951868799)) == "2000-02-29T23:59:59.000Z");
  CHECK(to_iso8601(at(951868799 + 1)) == "2000-03-01T00:00:00.000Z");
  CHECK(to_iso8601(at(1709164800)) == "2024-02-29T00:00:00.000Z");
  CHECK(to_iso8601(at(-2203977600)) == "1900-02-28T00:00:00.000Z");
  CHECK(to_iso8601(at(-2203977600 + 86400)) == "1900-03-01T00:00:00.000Z");
  CHECK(to_iso8601(at(4107499200)) == "2100-02-28T12:00:00.000Z");
  CHECK(to_iso8601(at(4107499200 + 43200)) == "2100-03-01T00:00:00.000Z");
}

TEST_CASE("to_iso8601 truncates below the millisecond, also before 1970", "[iso8601]") {
  using std::chrono::microseconds;
  CHECK(to_iso8601(TimePoint(microseconds(1768478400999999))) == "2026-01-15T12:00:00.999Z");
  CHECK(to_iso8601(TimePoint(microseconds(1))) == "1970-01-01T00:00:00.000Z");
  CHECK(to_iso8601(at(0, -1)) == "1969-12-31T23:59:59.999Z");
  CHECK(to_iso8601(TimePoint(microseconds(-1))) == "1969-12-31T23:59:59.999Z");
  CHECK(to_iso8601(at(-1)) == "1969-12-31T23:59:59.000Z");
}

TEST_CASE("format_iso8601 writes exactly iso8601_length characters", "[iso8601]") {
  char buf[eudiplo_sse::iso8601_length + 2];
  std::fill(std::begin(buf), std::end(buf), '#');
  eudiplo_sse::format_iso8601(at(1768478400, 123), buf);
  CHECK(std::string(buf, eudiplo_sse::iso8601_length) == "2026-01-15T12:00:00.123Z");
  CHECK(buf[eudiplo_sse::iso8601_length] == '#');
  CHECK(buf[eudiplo_sse::iso8601_length + 1] == '#');
  CHECK(eudiplo_sse::iso8601_length == 24);
}

TEST_CASE("the extremes of TimePoint format as well-formed instants", "[iso8601]") {
  // TimePoint (nanoseconds on libstdc++) spans 1677..2262, inside the 0000..9999
  // range the formatter clamps to; both ends must format without overflow.
  CHECK(to_iso8601(TimePoint::max()) == "2262-04-11T23:47:16.854Z");
  CHECK(to_iso8601(TimePoint::min()) == "1677-09-21T00:12:43.145Z");
}

TEST_CASE("parse_iso8601 reads back what to_iso8601 writes", "[iso8601]") {
  std::mt19937_64 rng(20260115);
  // 1700..2200, in milliseconds since the epoch.
  std::uniform_int_distribution<std::int64_t> dist(-8520336000000, 7258118400000);
  for (int i = 0; i < 20000; ++i) {
    TimePoint t{milliseconds(dist(rng))};
    std::string text = to_iso8601(t);
    INFO(text);
    REQUIRE(text.size() == 24);
    auto back = parse_iso8601(text);
    REQUIRE(back);
    REQUIRE(*back == t);
  }
  CHECK(parse_iso8601("2024-02-29T00:00:00.000Z") == at(1709164800));
  CHECK(parse_iso8601("1970-01-01T00:00:00.000Z") == TimePoint{});
  CHECK(parse_iso8601("2026-01-15T12:00:00.007Z") == at(1768478400, 7));
  CHECK(parse_iso8601("1969-12-31T23:59:59.999Z") == at(0, -1));
}

TEST_CASE("parse_iso8601 accepts only the exact format", "[iso8601]") {
  const char* bad[] = {
      "",
      "2026-01-15T12:00:00Z",       // no milliseconds
      "2026-01-15T12:00:00.000",    // no Z
      "2026-01-15T12:00:00.000z",   // lower-case z
      "2026-01-15 12:00:00.000Z",   // space for T
      "2026-01-15t12:00:00.000Z",   // lower-case t
      "2026-01-15T12:00:00.00Z",    // two fraction digits
      "2026-01-15T12:00:00.0000Z",  // four fraction digits
      "2026-01-15T12:00:00,000Z",   // comma
      "2026-01-15T12:00:00.000+00:00",
      "2026-01-15T12:00:00.000Z ",
      " 2026-01-15T12:00:00.000Z",
      "2026-01-15T12:00:00.000ZZ",
      "2026-1-15T12:00:00.000Z",
      "26-01-15T12:00:00.000Z",
      "+026-01-15T12:00:00.000Z",
      "-026-01-15T12:00:00.000Z",
      "2026-+1-15T12:00:00.000Z",
      "2026-01- 5T12:00:00.000Z",
      "2026-0a-15T12:00:00.000Z",
      "2026/01/15T12:00:00.000Z",
      "2026-00-15T12:00:00.000Z",
      "2026-13-15T12:00:00.000Z",
      "2026-01-00T12:00:00.000Z",
      "2026-01-32T12:00:00.000Z",
      "2026-02-29T12:00:00.000Z",  // 2026 is not a leap year
      "2100-02-29T12:00:00.000Z",  // nor is 2100
      "2026-04-31T12:00:00.000Z",
      "2026-01-15T24:00:00.000Z",
      "2026-01-15T12:60:00.000Z",
      "2026-01-15T12:00:61.000Z",
      "2026-01-15T12:00:00.-01Z",
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(parse_iso8601(text));
  }
  const std::string with_nul("2026-01-15T12:00:00.000Z\0", 25);
  CHECK_FALSE(parse_iso8601(with_nul));
  CHECK_FALSE(parse_iso8601(std::string_view("2026-01-15T12:00:00.000Z", 23)));
}

TEST_CASE("parse_iso8601 does not wrap instants TimePoint cannot hold", "[iso8601]") {
  // Year 9999 is valid text but beyond a nanosecond TimePoint: refusing it is
  // right, returning a wrapped (earlier) instant is not.
  auto far = parse_iso8601("9999-12-31T23:59:59.999Z");
  if (far) CHECK(*far >= *parse_iso8601("2262-01-01T00:00:00.000Z"));
  auto early = parse_iso8601("0000-01-01T00:00:00.000Z");
  if (early) CHECK(*early <= *parse_iso8601("1678-01-01T00:00:00.000Z"));
}
