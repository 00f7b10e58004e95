#include "eudiplo_sse/http_target.hpp"

#include <string>

#include "catch.hpp"

using namespace eudiplo_sse;

TEST_CASE("percent_decode decodes triplets and keeps '+'", "[percent]") {
  CHECK(percent_decode("a%20b%2Fc+d") == std::optional<std::string>("a b/c+d"));
  CHECK(percent_decode("%e2%82%ac") == std::optional<std::string>("\xe2\x82\xac"));
  CHECK(percent_decode("") == std::optional<std::string>(""));
}

TEST_CASE("form_decode turns '+' into a space", "[percent]") {
  CHECK(form_decode("a+b%2B") == std::optional<std::string>("a b+"));
}

TEST_CASE("bad encodings are refused", "[percent]") {
  for (const char* bad : {"%", "%4", "a%zz", "%g0", "%0", "ab%", "%00"}) {
    INFO(bad);
    CHECK_FALSE(percent_decode(bad));
    CHECK_FALSE(form_decode(bad));
  }
}

TEST_CASE("a raw NUL byte is refused like an encoded one", "[percent]") {
  // Hosts whose parser lets a raw 0x00 through must not get it back decoded.
  using namespace std::string_literals;
  for (const std::string& bad : {"\0"s, "a\0b"s, "abc\0"s, "\0%41"s}) {
    INFO(bad.size());
    CHECK_FALSE(percent_decode(bad));
    CHECK_FALSE(form_decode(bad));
  }
  CHECK_FALSE(parse_query("token=abc\0def"s));
  CHECK_FALSE(parse_query("a=1&k\0ey=2"s));
  CHECK_FALSE(decode_path("/session/a\0b/events"s));
  const EventsTarget t = parse_events_target("/session/abc/events?token=a\0b"s);
  CHECK(t.matched);
  CHECK(t.malformed);
  // The same bytes without the NUL decode: the refusal is the NUL's alone.
  CHECK(parse_query("token=abcdef"));
}

TEST_CASE("parse_query splits, decodes and keeps order", "[percent]") {
  const auto q = parse_query("token=a%2Eb&x&&y=1+2&token=second");
  REQUIRE(q);
  REQUIRE(q->size() == 4);
  CHECK((*q)[0] == std::make_pair(std::string("token"), std::string("a.b")));
  CHECK((*q)[1] == std::make_pair(std::string("x"), std::string("")));
  CHECK((*q)[2] == std::make_pair(std::string("y"), std::string("1 2")));
  REQUIRE(find_param(*q, "token"));
  CHECK(*find_param(*q, "token") == "a.b");  // the first one
  CHECK(find_param(*q, "missing") == nullptr);
  CHECK_FALSE(parse_query("a=1&b=%zz"));
  CHECK(parse_query("")->empty());
}

TEST_CASE("decode_path decodes each segment on its own", "[percent]") {
  const auto p = decode_path("/session/a%2Fb/events");
  REQUIRE(p);
  CHECK(*p == std::vector<std::string>{"session", "a/b", "events"});
  CHECK(*decode_path("/") == std::vector<std::string>{""});
  CHECK(*decode_path("/a/") == std::vector<std::string>{"a", ""});
  CHECK_FALSE(decode_path("relative"));
  CHECK_FALSE(decode_path("/a%2"));
}

TEST_CASE("parse_events_target matches /session/{id}/events only", "[percent][target]") {
  const auto t = parse_events_target("/session/ab%2Dc/events?x=1&token=h.p%2Es");
  CHECK(t.matched);
  CHECK_FALSE(t.malformed);
  CHECK(t.session_id == "ab-c");
  CHECK(t.query_token == "h.p.s");

  const auto no_query = parse_events_target("/session/abc/events");
  CHECK(no_query.matched);
  CHECK(no_query.query_token.empty());

  for (const char* other : {"/session/abc", "/session/abc/event", "/session/abc/events/x",
                            "/sessions/abc/events", "/healthz", "session/abc/events"}) {
    INFO(other);
    CHECK_FALSE(parse_events_target(other).matched);
  }
}

TEST_CASE("parse_events_target flags bad encodings as malformed (400)", "[percent][target]") {
  for (const char* bad :
       {"/session/a%00b/events", "/session/a%zz/events", "/session/abc/events?token=%4"}) {
    INFO(bad);
    const auto t = parse_events_target(bad);
    CHECK(t.matched);
    CHECK(t.malformed);
    CHECK(t.session_id.empty());
  }
}
