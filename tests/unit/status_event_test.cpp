#include "eudiplo_sse/status_event.hpp"

#include <string>

#include "catch.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_json.hpp"
#include "eudiplo_sse/sse_format.hpp"
#include "event_stream_parser.hpp"

using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;

namespace {

Session sample(std::uint64_t version, SessionStatus status) {
  Session s;
  s.id = "0f8c2a7e-1b2d-4c3e-9f40-5a6b7c8d9e0f";
  s.tenant = "tenant-a";
  s.status = status;
  s.version = version;
  s.created_at = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");
  s.updated_at = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:42.001Z");
  s.expires_at = *eudiplo_sse::parse_iso8601("2026-01-15T12:05:00.000Z");
  return s;
}

}  // namespace

TEST_CASE("make_status_event copies the session's identity and status", "[status_event]") {
  const Session s = sample(3, SessionStatus::completed);
  auto e = eudiplo_sse::make_status_event(s);
  REQUIRE(e);
  CHECK(e->session_id == s.id);
  CHECK(e->tenant == s.tenant);
  CHECK(e->status == SessionStatus::completed);
  CHECK(e->version == 3);
  CHECK(e->updated_at == s.updated_at);
  CHECK(e->json() == eudiplo_sse::status_event_json(s));
}

TEST_CASE("make_status_event formats the SSE bytes once: id then data", "[status_event]") {
  for (std::uint64_t version : {std::uint64_t{1}, std::uint64_t{42}, UINT64_MAX}) {
    const Session s = sample(version, SessionStatus::fetched);
    auto e = eudiplo_sse::make_status_event(s);
    CHECK(e->sse ==
          "id: " + std::to_string(version) + "\ndata: " + std::string(e->json()) + "\n\n");

    auto p = eudiplo_sse::test::EventStreamParser::parse(e->sse);
    REQUIRE(p.events().size() == 1);
    CHECK(p.events()[0].data == eudiplo_sse::status_event_json(s));
    CHECK(p.events()[0].last_event_id == std::to_string(version));
    CHECK(p.events()[0].type == "message");
    CHECK_FALSE(p.has_pending());
  }
}

TEST_CASE("sse_bytes shares the event's buffer and ownership", "[status_event]") {
  auto e = eudiplo_sse::make_status_event(sample(7, SessionStatus::active));
  const std::string expected(e->sse);
  const long before = e.use_count();

  eudiplo_sse::SharedBytes bytes = eudiplo_sse::sse_bytes(e);
  CHECK(bytes.get() == &e->sse);
  CHECK(e.use_count() == before + 1);
  CHECK_FALSE(bytes.owner_before(e));
  CHECK_FALSE(e.owner_before(bytes));

  e.reset();  // the bytes keep the event alive
  CHECK(*bytes == expected);
  CHECK(bytes.use_count() == 1);
}

TEST_CASE("make_status_event matches the general formatter, for any id", "[status_event]") {
  // The fast path writes JSON and framing by hand; ids a host store may hold
  // outside our charset take RapidJSON. Both must equal the general path.
  for (const char* id : {"abc-123", "needs \"escaping\"\\", "line\nbreak", "caf\xc3\xa9"}) {
    Session s = sample(9, SessionStatus::failed);
    s.id = id;
    auto e = eudiplo_sse::make_status_event(s);
    const std::string json = eudiplo_sse::status_event_json(s);
    CHECK(e->json() == json);
    CHECK(e->sse == eudiplo_sse::format_sse_event({"9", "", json}));
  }
}
