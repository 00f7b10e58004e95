#include "eudiplo_sse/session_json.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "catch.hpp"
#include "eudiplo_sse/iso8601.hpp"

using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;

namespace {

Session sample() {
  Session s;
  s.id = "abc-123";
  s.tenant = "tenant-one";
  s.status = SessionStatus::fetched;
  s.version = 2;
  s.created_at = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");
  s.updated_at = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:05.250Z");
  s.expires_at = *eudiplo_sse::parse_iso8601("2026-01-15T12:05:00.000Z");
  return s;
}

std::vector<std::string> member_names(const rapidjson::Document& d) {
  std::vector<std::string> names;
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it)
    names.emplace_back(it->name.GetString());
  return names;
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  INFO(json);
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

}  // namespace

TEST_CASE("status_event_json is {id, status, updatedAt} in that order", "[session_json]") {
  const Session s = sample();
  CHECK(eudiplo_sse::status_event_json(s) ==
        R"({"id":"abc-123","status":"fetched","updatedAt":"2026-01-15T12:00:05.250Z"})");

  auto d = parse(eudiplo_sse::status_event_json(s));
  CHECK(member_names(d) == std::vector<std::string>{"id", "status", "updatedAt"});
  CHECK(std::string(d["id"].GetString()) == s.id);
  CHECK(std::string(d["status"].GetString()) == "fetched");
  CHECK(eudiplo_sse::parse_iso8601(d["updatedAt"].GetString()) == s.updated_at);
}

TEST_CASE("status_event_json names every status", "[session_json]") {
  Session s = sample();
  for (auto st : {SessionStatus::active, SessionStatus::fetched, SessionStatus::completed,
                  SessionStatus::expired, SessionStatus::failed}) {
    s.status = st;
    auto d = parse(eudiplo_sse::status_event_json(s));
    CHECK(std::string(d["status"].GetString()) == eudiplo_sse::to_string(st));
  }
}

TEST_CASE("session_json is the session resource in contract order", "[session_json]") {
  const Session s = sample();
  CHECK(eudiplo_sse::session_json(s) ==
        R"({"id":"abc-123","status":"fetched","version":2,"createdAt":"2026-01-15T12:00:00.000Z",)"
        R"("updatedAt":"2026-01-15T12:00:05.250Z","expiresAt":"2026-01-15T12:05:00.000Z"})");

  auto d = parse(eudiplo_sse::session_json(s));
  CHECK(member_names(d) ==
        std::vector<std::string>{"id", "status", "version", "createdAt", "updatedAt", "expiresAt"});
  REQUIRE(d["version"].IsUint64());
  CHECK(d["version"].GetUint64() == 2);
  CHECK(eudiplo_sse::parse_iso8601(d["createdAt"].GetString()) == s.created_at);
  CHECK(eudiplo_sse::parse_iso8601(d["expiresAt"].GetString()) == s.expires_at);
}

TEST_CASE("the tenant never appears in the JSON documents", "[session_json]") {
  Session s = sample();
  s.tenant = "secret-tenant-name";
  CHECK(eudiplo_sse::session_json(s).find("secret-tenant-name") == std::string::npos);
  CHECK(eudiplo_sse::status_event_json(s).find("secret-tenant-name") == std::string::npos);
}

TEST_CASE("versions keep all 64 bits", "[session_json]") {
  Session s = sample();
  s.version = UINT64_MAX;
  auto d = parse(eudiplo_sse::session_json(s));
  REQUIRE(d["version"].IsUint64());
  CHECK(d["version"].GetUint64() == UINT64_MAX);
}

TEST_CASE("strings are JSON-escaped", "[session_json]") {
  // Valid ids never need escaping; the writer must still be a JSON writer.
  Session s = sample();
  s.id = "q\"b\\s\n\x01";
  auto d = parse(eudiplo_sse::status_event_json(s));
  CHECK(std::string(d["id"].GetString()) == s.id);
  auto e = parse(eudiplo_sse::session_json(s));
  CHECK(std::string(e["id"].GetString()) == s.id);
}
