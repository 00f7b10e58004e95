#include "eudiplo_sse/session_status.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::SessionStatus;

namespace {

const SessionStatus kAll[] = {SessionStatus::active, SessionStatus::fetched,
                              SessionStatus::completed, SessionStatus::expired,
                              SessionStatus::failed};

}  // namespace

TEST_CASE("session status wire names", "[session_status]") {
  CHECK(eudiplo_sse::to_string(SessionStatus::active) == "active");
  CHECK(eudiplo_sse::to_string(SessionStatus::fetched) == "fetched");
  CHECK(eudiplo_sse::to_string(SessionStatus::completed) == "completed");
  CHECK(eudiplo_sse::to_string(SessionStatus::expired) == "expired");
  CHECK(eudiplo_sse::to_string(SessionStatus::failed) == "failed");
}

TEST_CASE("parse_session_status reads wire names exactly", "[session_status]") {
  for (SessionStatus s : kAll) {
    auto parsed = eudiplo_sse::parse_session_status(eudiplo_sse::to_string(s));
    REQUIRE(parsed);
    CHECK(*parsed == s);
  }
  for (const char* bad : {"", "Active", "ACTIVE", "active ", " active", "activ", "actives",
                          "unknown", "complete", "0", "expired\n"}) {
    INFO(bad);
    CHECK_FALSE(eudiplo_sse::parse_session_status(bad));
  }
  CHECK_FALSE(eudiplo_sse::parse_session_status(std::string("active\0", 7)));
  CHECK_FALSE(eudiplo_sse::parse_session_status(std::string_view("active", 3)));
}

TEST_CASE("completed, expired and failed are terminal", "[session_status]") {
  CHECK_FALSE(eudiplo_sse::is_terminal(SessionStatus::active));
  CHECK_FALSE(eudiplo_sse::is_terminal(SessionStatus::fetched));
  CHECK(eudiplo_sse::is_terminal(SessionStatus::completed));
  CHECK(eudiplo_sse::is_terminal(SessionStatus::expired));
  CHECK(eudiplo_sse::is_terminal(SessionStatus::failed));
  static_assert(eudiplo_sse::is_terminal(SessionStatus::failed), "usable in constant expressions");
}

TEST_CASE("is_allowed_transition follows contract section 2", "[session_status]") {
  // active -> fetched -> completed|failed; active -> completed|failed; any
  // non-terminal -> expired. Nothing else, and no change to the same status.
  auto allowed = [](SessionStatus from, SessionStatus to) {
    using S = SessionStatus;
    if (from == S::active)
      return to == S::fetched || to == S::completed || to == S::failed || to == S::expired;
    if (from == S::fetched) return to == S::completed || to == S::failed || to == S::expired;
    return false;
  };
  int allowed_count = 0;
  for (SessionStatus from : kAll) {
    for (SessionStatus to : kAll) {
      INFO(std::string(eudiplo_sse::to_string(from)) << " -> " << eudiplo_sse::to_string(to));
      CHECK(eudiplo_sse::is_allowed_transition(from, to) == allowed(from, to));
      allowed_count += eudiplo_sse::is_allowed_transition(from, to) ? 1 : 0;
    }
  }
  CHECK(allowed_count == 7);
  static_assert(
      !eudiplo_sse::is_allowed_transition(SessionStatus::expired, SessionStatus::completed),
      "a terminal status is final");
}
