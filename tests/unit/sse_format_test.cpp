#include "eudiplo_sse/sse_format.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "event_stream_parser.hpp"

using eudiplo_sse::SseEvent;
using eudiplo_sse::test::EventStreamParser;
using eudiplo_sse::test::ParsedEvent;
using namespace std::string_literals;

namespace {

bool same_events(const std::vector<ParsedEvent>& a, const std::vector<ParsedEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data ||
        a[i].last_event_id != b[i].last_event_id)
      return false;
  }
  return true;
}

bool same_result(const EventStreamParser& a, const EventStreamParser& b) {
  return same_events(a.events(), b.events()) && a.comments() == b.comments() &&
         a.retry() == b.retry() && a.last_event_id() == b.last_event_id() &&
         a.has_pending() == b.has_pending();
}

// Parses `bytes` whole, then split in two at every byte boundary, then one byte at
// a time, and requires every way of chunking to read the same stream.
EventStreamParser parse_every_split(const std::string& bytes) {
  const EventStreamParser whole = EventStreamParser::parse(bytes);
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    EventStreamParser split;
    split.feed(std::string_view(bytes).substr(0, i));
    split.feed(std::string_view(bytes).substr(i));
    INFO("split at byte " << i << " of " << bytes.size());
    REQUIRE(same_result(whole, split));
  }
  EventStreamParser bytewise;
  for (char c : bytes) bytewise.feed(std::string_view(&c, 1));
  REQUIRE(same_result(whole, bytewise));
  return whole;
}

// What a client reads back from a payload: every CRLF, CR or LF is a line break,
// and the lines are joined with LF.
std::string as_lf_lines(std::string_view payload) {
  std::string out;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < payload.size() && payload[i + 1] == '\n') ++i;
    } else {
      out.push_back(payload[i]);
    }
  }
  return out;
}

bool starts_with_bom(const std::string& s) { return s.rfind("\xEF\xBB\xBF", 0) == 0; }

// Lines the formatter writes end with LF only, and each is a comment, a blank
// line, or `name:` followed by nothing or one space and the value.
void require_well_formed(const std::string& out) {
  REQUIRE_FALSE(starts_with_bom(out));
  REQUIRE(out.find('\r') == std::string::npos);
  REQUIRE(!out.empty());
  REQUIRE(out.back() == '\n');
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    REQUIRE(end != std::string::npos);
    std::string_view line(out.data() + start, end - start);
    if (!line.empty() && line.front() != ':') {
      auto colon = line.find(':');
      INFO("line: " << std::string(line));
      REQUIRE(colon != std::string_view::npos);
      std::string_view name = line.substr(0, colon);
      REQUIRE((name == "id" || name == "event" || name == "data" || name == "retry"));
      REQUIRE((colon + 1 == line.size() || line[colon + 1] == ' '));
    }
    start = end + 1;
  }
}

const std::vector<std::string> kPayloads = {
    ""s,
    "x"s,
    "hello world"s,
    R"({"id":"abc","status":"active","updatedAt":"2026-01-15T12:00:00.000Z"})"s,
    "a\nb"s,
    "a\rb"s,
    "a\r\nb"s,
    "a\n\nb"s,
    "a\r\r\nb"s,
    "a\n\rb"s,
    "\n"s,
    "\r"s,
    "\r\n"s,
    "\n\n\n"s,
    "trailing\n"s,
    "trailing\r\n"s,
    "\nleading"s,
    "  two leading spaces"s,
    " "s,
    " \n  \r\n   "s,
    "\tTab"s,
    ":starts with a colon"s,
    "data: looks like a field"s,
    "x\n\ndata: injected\nid: 99\n\n"s,
    "id: 5\nevent: evil"s,
    "retry: 1"s,
    "NUL \0 inside"s,
    "\xEF\xBB\xBF"
    "BOM inside data"s,
    "Gr\xC3\xBC\xC3\x9F"
    "e \xF0\x9F\x8C\x8D \xE6\x97\xA5\xE6\x9C\xAC"s,
    std::string(2000, 'z'),
};

}  // namespace

// --- The parser itself, against the examples and rules of the WHATWG section ------

TEST_CASE("event-stream parser: the specification's examples", "[sse][parser]") {
  SECTION("data lines are joined with LF") {
    auto p = parse_every_split("data: YHOO\ndata: +2\ndata: 10\n\n");
    REQUIRE(p.events().size() == 1);
    CHECK(p.events()[0].data == "YHOO\n+2\n10");
    CHECK(p.events()[0].type == "message");
  }
  SECTION("comments, ids, an id without value, a space kept after the first") {
    auto p = parse_every_split(
        ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third "
        "event\n\n");
    REQUIRE(p.events().size() == 3);
    CHECK(p.events()[0].data == "first event");
    CHECK(p.events()[0].last_event_id == "1");
    CHECK(p.events()[1].data == "second event");
    CHECK(p.events()[1].last_event_id == "");
    CHECK(p.events()[2].data == " third event");
    CHECK(p.comments() == std::vector<std::string>{"test stream"});
  }
  SECTION("field names without a colon; an unterminated event is discarded") {
    auto p = parse_every_split("data\n\ndata\ndata\n\ndata:");
    REQUIRE(p.events().size() == 2);
    CHECK(p.events()[0].data == "");
    CHECK(p.events()[1].data == "\n");
    CHECK(p.has_pending());
  }
  SECTION("one optional space after the colon") {
    auto p = parse_every_split("data:test\n\ndata: test\n\n");
    REQUIRE(p.events().size() == 2);
    CHECK(p.events()[0].data == "test");
    CHECK(p.events()[1].data == "test");
  }
}

TEST_CASE("event-stream parser: line endings, BOM, id, retry, event", "[sse][parser]") {
  SECTION("LF, CR and CRLF all end lines; CRLF is one line end across chunks") {
    for (const char* eol : {"\n", "\r", "\r\n"}) {
      std::string s = "data: a"s + eol + "data: b" + eol + eol;
      auto p = parse_every_split(s);
      REQUIRE(p.events().size() == 1);
      CHECK(p.events()[0].data == "a\nb");
    }
    EventStreamParser p;
    p.feed("data: a\r");
    p.feed("\ndata: b\r");
    p.feed("\n\r");
    p.feed("\n");
    REQUIRE(p.events().size() == 1);
    CHECK(p.events()[0].data == "a\nb");
  }
  SECTION("a BOM is dropped at stream start only") {
    auto p = parse_every_split(
        "\xEF\xBB\xBF"
        "data: x\n\n");
    REQUIRE(p.events().size() == 1);
    CHECK(p.events()[0].data == "x");
    auto twice = parse_every_split(
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: x\n\n");
    CHECK(twice.events().empty());
  }
  SECTION("an id holding NUL is ignored; the last id carries over") {
    auto p = parse_every_split("id: 7\ndata: a\n\nid: 8\0x\ndata: b\n\ndata: c\n\n"s);
    REQUIRE(p.events().size() == 3);
    CHECK(p.events()[0].last_event_id == "7");
    CHECK(p.events()[1].last_event_id == "7");
    CHECK(p.events()[2].last_event_id == "7");
  }
  SECTION("retry takes digits only") {
    CHECK(parse_every_split("retry: 1500\n\n").retry() == std::optional<std::uint64_t>(1500));
    CHECK_FALSE(parse_every_split("retry: 15x\n\n").retry());
    CHECK_FALSE(parse_every_split("retry: -1\n\n").retry());
    CHECK_FALSE(parse_every_split("retry:  1\n\n").retry());
  }
  SECTION("event sets the type of the next event only; empty data dispatches nothing") {
    auto p = parse_every_split("event: a\ndata: 1\n\nevent: b\n\ndata: 2\n\n");
    REQUIRE(p.events().size() == 2);
    CHECK(p.events()[0].type == "a");
    CHECK(p.events()[1].type == "message");
  }
  SECTION("unknown fields are ignored") {
    auto p = parse_every_split("foo: bar\ndata: x\nDATA: y\n\n");
    REQUIRE(p.events().size() == 1);
    CHECK(p.events()[0].data == "x");
  }
}

// --- The formatter ------------------------------------------------------------

TEST_CASE("append_sse_event writes id and data as the status event uses them", "[sse]") {
  std::string out;
  REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{"1", "", "x"}));
  CHECK(out == "id: 1\ndata: x\n\n");

  out.clear();
  REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{"", "", "x"}));
  CHECK(out == "data: x\n\n");
}

TEST_CASE("append_sse_event appends to what is already there", "[sse]") {
  std::string out = "existing";
  REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{"3", "", "y"}));
  CHECK(out.rfind("existing", 0) == 0);
  CHECK(out.substr(8) == eudiplo_sse::format_sse_event(SseEvent{"3", "", "y"}));
}

TEST_CASE("every payload round-trips through a conforming parser at every split", "[sse]") {
  const std::vector<std::string> ids = {"",        "1",   "18446744073709551615",
                                        " spaced", "a:b", "\xC3\xA9t\xC3\xA9"};
  const std::vector<std::string> types = {"", "message", "status", " lead", "\xE2\x9C\x93"};
  for (const auto& payload : kPayloads) {
    for (const auto& id : ids) {
      for (const auto& type : types) {
        // The long payload once is enough; splitting it is quadratic.
        if (payload.size() > 100 && (id != "1" || !type.empty())) continue;
        std::string out;
        INFO("payload: " << payload << " | id: " << id << " | event: " << type);
        REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{id, type, payload}));
        require_well_formed(out);
        auto p = parse_every_split(out);
        REQUIRE(p.events().size() == 1);
        CHECK(p.events()[0].data == as_lf_lines(payload));
        CHECK(p.events()[0].type == (type.empty() ? "message" : type));
        CHECK(p.events()[0].last_event_id == id);
        CHECK(p.comments().empty());
        CHECK_FALSE(p.retry());
        CHECK_FALSE(p.has_pending());
        CHECK(out == eudiplo_sse::format_sse_event(SseEvent{id, type, payload}));
      }
    }
  }
}

TEST_CASE("id and event holding CR, LF or NUL are refused and nothing is appended", "[sse]") {
  const std::vector<std::string> bad = {"\n", "\r", "\r\n", "a\nb", "a\rb", "\0"s, "a\0b"s, "ok\n"};
  for (const auto& value : bad) {
    INFO("value bytes: " << value.size());
    std::string out = "before";
    auto ec = eudiplo_sse::append_sse_event(out, SseEvent{value, "", "data"});
    CHECK(ec == eudiplo_sse::error::invalid_field);
    CHECK(out == "before");

    ec = eudiplo_sse::append_sse_event(out, SseEvent{"1", value, "data"});
    CHECK(ec == eudiplo_sse::error::invalid_field);
    CHECK(out == "before");

    try {
      (void)eudiplo_sse::format_sse_event(SseEvent{value, "", "data"});
      FAIL("format_sse_event accepted an id with CR, LF or NUL");
    } catch (const std::system_error& e) {
      CHECK(e.code() == eudiplo_sse::error::invalid_field);
    }
  }
}

TEST_CASE("append_sse_retry writes digits and a blank line", "[sse]") {
  std::string out;
  eudiplo_sse::append_sse_retry(out, std::chrono::milliseconds(3000));
  CHECK(out == "retry: 3000\n\n");
  require_well_formed(out);
  auto p = parse_every_split(out);
  CHECK(p.retry() == std::optional<std::uint64_t>(3000));
  CHECK(p.events().empty());
  CHECK_FALSE(p.has_pending());

  for (auto ms : {std::chrono::milliseconds(0), std::chrono::milliseconds(1),
                  std::chrono::milliseconds(86400000), std::chrono::milliseconds::max()}) {
    std::string o;
    eudiplo_sse::append_sse_retry(o, ms);
    require_well_formed(o);
    auto q = parse_every_split(o);
    REQUIRE(q.retry());
    CHECK(*q.retry() == static_cast<std::uint64_t>(ms.count()));
  }
}

TEST_CASE("append_sse_retry never writes a sign", "[sse]") {
  // A client ignores a retry field with anything but digits.
  std::string out;
  eudiplo_sse::append_sse_retry(out, std::chrono::milliseconds(-5));
  require_well_formed(out);
  auto p = EventStreamParser::parse(out);
  CHECK(p.retry_fields() == 1);
  CHECK(p.retry());
}

TEST_CASE("append_sse_comment writes comment lines only", "[sse]") {
  struct Case {
    std::string text;
    std::vector<std::string> comments;
  };
  const std::vector<Case> cases = {
      {"keep-alive", {"keep-alive"}},
      {"a\nb", {"a", "b"}},
      {"a\r\nb\rc", {"a", "b", "c"}},
      {"x\n\ndata: injected\nid: 9", {"x", "", "data: injected", "id: 9"}},
      {" leading", {" leading"}},
  };
  for (const auto& c : cases) {
    INFO("comment: " << c.text);
    std::string out;
    eudiplo_sse::append_sse_comment(out, c.text);
    require_well_formed(out);
    CHECK(out.front() == ':');
    auto p = parse_every_split(out);
    CHECK(p.events().empty());
    CHECK(p.comments() == c.comments);
    CHECK(p.last_event_id().empty());
    CHECK_FALSE(p.retry());
    CHECK_FALSE(p.has_pending());
  }
  std::string empty;
  eudiplo_sse::append_sse_comment(empty, "");
  require_well_formed(empty);
  auto p = parse_every_split(empty);
  CHECK(p.events().empty());
  CHECK_FALSE(p.has_pending());
}

TEST_CASE("a whole stream of retry, events and comments reads back in order", "[sse]") {
  std::string out;
  eudiplo_sse::append_sse_retry(out, std::chrono::milliseconds(3000));
  REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{"1", "", "first\r\nline"}));
  eudiplo_sse::append_sse_comment(out, "keep-alive");
  REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{"2", "status", ""}));
  REQUIRE_FALSE(eudiplo_sse::append_sse_event(out, SseEvent{"", "", "no id"}));
  require_well_formed(out);
  CHECK(out.rfind("retry: 3000\n\nid: 1\n", 0) == 0);

  auto p = parse_every_split(out);
  CHECK(p.retry() == std::optional<std::uint64_t>(3000));
  CHECK(p.comments() == std::vector<std::string>{"keep-alive"});
  REQUIRE(p.events().size() == 3);
  CHECK(p.events()[0].data == "first\nline");
  CHECK(p.events()[0].last_event_id == "1");
  CHECK(p.events()[1].type == "status");
  CHECK(p.events()[1].data == "");
  CHECK(p.events()[1].last_event_id == "2");
  CHECK(p.events()[2].data == "no id");
  CHECK(p.events()[2].last_event_id == "2");
  CHECK_FALSE(p.has_pending());
}
