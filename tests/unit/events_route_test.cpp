#include "eudiplo_sse/events_route.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_json.hpp"
#include "event_stream_parser.hpp"
#include "fake_sse_writer.hpp"
#include "fake_token_verifier.hpp"

using eudiplo_sse::EventsRequest;
using eudiplo_sse::EventsResponse;
using eudiplo_sse::EventsRoute;
using eudiplo_sse::EventsRouteOptions;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::TimePoint;
using eudiplo_sse::test::EventStreamParser;
using eudiplo_sse::test::FakeSseWriter;
using eudiplo_sse::test::FakeTokenVerifier;
using std::chrono::seconds;

namespace {

class ManualClock {
 public:
  explicit ManualClock(TimePoint start) : ns_(start.time_since_epoch().count()) {}
  TimePoint now() const { return TimePoint(TimePoint::duration(ns_.load())); }
  void advance(TimePoint::duration d) { ns_.fetch_add(d.count()); }

 private:
  std::atomic<TimePoint::rep> ns_;
};

const TimePoint kT0 = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");

// Tokens made to be recognisable if they ever leak into a body or header.
const std::string kTokA = "TOKEN-A-4f1c9e2b7d";
const std::string kTokB = "TOKEN-B-8a3d5f0c1e";
const std::string kTokShort = "TOKEN-SHORT-77aa";  // expires after 100 s
const std::string kTokNoTenant = "TOKEN-NOTENANT-1b";
const std::string kTokNoRole = "TOKEN-NOROLE-2c";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<std::string> header(const EventsResponse& r, const std::string& name) {
  std::optional<std::string> found;
  for (const auto& h : r.headers) {
    if (lower(h.name) == lower(name)) {
      REQUIRE_FALSE(found);  // no header twice
      found = h.value;
    }
  }
  return found;
}

std::string bearer(const std::string& token) { return "Bearer " + token; }

struct Fixture {
  ManualClock clock{kT0};
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService service{store, publisher, [this] { return clock.now(); }};
  FakeTokenVerifier verifier;
  std::unique_ptr<EventsRoute> route;

  explicit Fixture(EventsRouteOptions options = {}) {
    verifier.allow(kTokA, "tenant-a", kT0 + seconds(3600), {"admin"});
    verifier.allow(kTokB, "tenant-b", kT0 + seconds(3600));
    verifier.allow(kTokShort, "tenant-a", kT0 + seconds(100));
    verifier.refuse(kTokNoTenant, eudiplo_sse::error::tenant_missing);
    verifier.refuse(kTokNoRole, eudiplo_sse::error::role_missing);
    route = std::make_unique<EventsRoute>(verifier, service, options);
  }
  ~Fixture() { route.reset(); }

  std::string create(const std::string& tenant = "tenant-a", seconds ttl = seconds(300)) {
    auto r = service.create(tenant, ttl);
    REQUIRE_FALSE(r.error);
    return r.session.id;
  }

  EventsResponse check(const std::string& id, const std::string& query_token,
                       const std::string& authorization = "",
                       const std::string& last_event_id = "") {
    return route->check(EventsRequest{id, query_token, authorization, last_event_id});
  }

  std::shared_ptr<FakeSseWriter> open(const std::string& id, const std::string& token = kTokA,
                                      FakeSseWriter::Mode mode = FakeSseWriter::Mode::accept) {
    auto response = check(id, token);
    REQUIRE(response.status == 200);
    REQUIRE(response.is_stream());
    auto writer = std::make_shared<FakeSseWriter>();
    writer->set_mode(mode);
    route->open(std::move(response), writer);
    return writer;
  }
};

struct ErrorBody {
  int status_code = 0;
  std::string error;
  std::string message;
  std::vector<std::string> names;
};

ErrorBody parse_error_body(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  INFO(body);
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  ErrorBody out;
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it)
    out.names.emplace_back(it->name.GetString());
  REQUIRE(d.HasMember("statusCode"));
  REQUIRE(d["statusCode"].IsInt());
  REQUIRE(d.HasMember("error"));
  REQUIRE(d["error"].IsString());
  REQUIRE(d.HasMember("message"));
  REQUIRE(d["message"].IsString());
  out.status_code = d["statusCode"].GetInt();
  out.error = d["error"].GetString();
  out.message = d["message"].GetString();
  return out;
}

void require_refusal(const EventsResponse& r, int status, const std::string& reason) {
  INFO("status " << r.status << " body " << r.body);
  REQUIRE(r.status == status);
  CHECK_FALSE(r.is_stream());
  auto body = parse_error_body(r.body);
  CHECK(body.names == std::vector<std::string>{"statusCode", "error", "message"});
  CHECK(body.status_code == status);
  CHECK(body.error == reason);
  CHECK_FALSE(body.message.empty());
  auto type = header(r, "Content-Type");
  REQUIRE(type);
  CHECK(type->find("application/json") == 0);
}

void require_no_token_anywhere(const EventsResponse& r, const std::string& token) {
  CHECK(r.body.find(token) == std::string::npos);
  for (const auto& h : r.headers) {
    INFO(h.name);
    CHECK(h.value.find(token) == std::string::npos);
  }
}

std::vector<std::uint64_t> event_ids(const EventStreamParser& p) {
  std::vector<std::uint64_t> ids;
  for (const auto& e : p.events()) ids.push_back(std::stoull(e.last_event_id));
  return ids;
}

}  // namespace

// --- check(): the refusals, in the order of contract section 3 ---------------------

TEST_CASE("no token: 401 with WWW-Authenticate: Bearer and a JSON body", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto r = f.check(id, "");
  require_refusal(r, 401, "Unauthorized");
  auto www = header(r, "WWW-Authenticate");
  REQUIRE(www);
  CHECK(www->rfind("Bearer", 0) == 0);
  CHECK(f.route->stats().unauthorized == 1);
  CHECK(f.route->stats().open_streams == 0);
}

TEST_CASE("every invalid token is a 401 that never echoes the token", "[route]") {
  Fixture f;
  const std::string id = f.create();
  using E = eudiplo_sse::error;
  const E errors[] = {
      E::token_too_large, E::token_malformed,   E::algorithm_unsupported,  E::algorithm_disallowed,
      E::key_unknown,     E::signature_invalid, E::token_expired,          E::token_not_yet_valid,
      E::issuer_mismatch, E::audience_mismatch, E::critical_header_unknown};
  std::uint64_t expected = 0;
  for (E e : errors) {
    const std::string token = "SECRET-TOKEN-" + std::to_string(static_cast<int>(e));
    f.verifier.refuse(token, e);
    for (bool in_header : {false, true}) {
      INFO(eudiplo_sse::make_error_code(e).message() << (in_header ? " (header)" : " (query)"));
      auto r = in_header ? f.check(id, "", bearer(token)) : f.check(id, token);
      require_refusal(r, 401, "Unauthorized");
      auto www = header(r, "WWW-Authenticate");
      REQUIRE(www);
      CHECK(www->rfind("Bearer", 0) == 0);
      require_no_token_anywhere(r, token);
      ++expected;
    }
  }
  // A token the verifier does not know at all.
  auto r = f.check(id, "SECRET-UNKNOWN-TOKEN");
  require_refusal(r, 401, "Unauthorized");
  require_no_token_anywhere(r, "SECRET-UNKNOWN-TOKEN");
  ++expected;
  CHECK(f.route->stats().unauthorized == expected);
  CHECK(f.route->stats().forbidden == 0);
}

TEST_CASE("a valid token without tenant or role is a 403", "[route]") {
  Fixture f;
  const std::string id = f.create();
  for (const auto& token : {kTokNoTenant, kTokNoRole}) {
    auto r = f.check(id, token);
    require_refusal(r, 403, "Forbidden");
    require_no_token_anywhere(r, token);
  }
  CHECK(f.route->stats().forbidden == 2);
  CHECK(f.route->stats().unauthorized == 0);
}

TEST_CASE("checks run in order: 401, 403, 400, 404, 204", "[route]") {
  Fixture f;
  const std::string id = f.create();
  const std::string bad_ids[] = {"", "a/b", "a b", std::string(129, 'x'), "%2F", "\xC3\xA9"};
  for (const auto& bad : bad_ids) {
    INFO("id: " << bad);
    require_refusal(f.check(bad, ""), 401, "Unauthorized");
    require_refusal(f.check(bad, "SECRET-UNKNOWN"), 401, "Unauthorized");
    require_refusal(f.check(bad, kTokNoTenant), 403, "Forbidden");
    auto r = f.check(bad, kTokA);
    require_refusal(r, 400, "Bad Request");
    require_no_token_anywhere(r, kTokA);
  }
  // Unknown session and another tenant's session, also with a Last-Event-ID.
  require_refusal(f.check("no-such-session", kTokA), 404, "Not Found");
  require_refusal(f.check(id, kTokB), 404, "Not Found");
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::completed).changed);
  require_refusal(f.check(id, kTokB, "", "2"), 404, "Not Found");
  require_refusal(f.check(id, "SECRET-UNKNOWN", "", "2"), 401, "Unauthorized");
  CHECK(f.check(id, kTokA, "", "2").status == 204);
}

TEST_CASE("another tenant's session is indistinguishable from a missing one", "[route]") {
  Fixture owner;
  const std::string id = owner.create("tenant-a");
  Fixture empty;  // same id nowhere
  auto theirs = owner.check(id, kTokB);
  auto missing = empty.check(id, kTokB);
  CHECK(theirs.status == 404);
  CHECK(theirs.status == missing.status);
  CHECK(theirs.body == missing.body);
  REQUIRE(theirs.headers.size() == missing.headers.size());
  for (std::size_t i = 0; i < theirs.headers.size(); ++i) {
    CHECK(theirs.headers[i].name == missing.headers[i].name);
    CHECK(theirs.headers[i].value == missing.headers[i].value);
  }
}

TEST_CASE("Last-Event-ID naming the terminal event answers 204", "[route]") {
  Fixture f;
  const std::string done = f.create();
  REQUIRE(f.service.set_status("tenant-a", done, SessionStatus::fetched).changed);
  REQUIRE(f.service.set_status("tenant-a", done, SessionStatus::completed).changed);

  auto r = f.check(done, kTokA, "", "3");
  CHECK(r.status == 204);
  CHECK_FALSE(r.is_stream());
  CHECK(r.body.empty());
  CHECK_FALSE(header(r, "Content-Length"));

  // Anything else still opens a stream (which then delivers the terminal event).
  CHECK(f.check(done, kTokA, "", "2").status == 200);
  CHECK(f.check(done, kTokA, "", "").status == 200);
  CHECK(f.check(done, kTokA, "", "abc").status == 200);

  // A non-terminal session whose current version is named is still streamed.
  const std::string live = f.create();
  CHECK(f.check(live, kTokA, "", "1").status == 200);

  // Expired counts as terminal.
  const std::string expiring = f.create("tenant-a", seconds(10));
  f.clock.advance(seconds(11));
  REQUIRE(f.service.expire_due() >= 1);
  CHECK(f.check(expiring, kTokA, "", "2").status == 204);
}

TEST_CASE("select_token: a Bearer header wins over the query parameter", "[route]") {
  using eudiplo_sse::select_token;
  CHECK(select_token("Bearer abc", "query") == "abc");
  CHECK(select_token("", "query") == "query");
  CHECK(select_token("", "") == "");
  CHECK(select_token("Bearer abc", "") == "abc");
  CHECK(select_token("Basic dXNlcjpwYXNz", "query") == "query");
  // RFC 7235: the scheme name is case-insensitive.
  CHECK(select_token("bearer abc", "query") == "abc");
}

TEST_CASE("check(): the header token is the one verified", "[route]") {
  Fixture f;
  const std::string id = f.create();
  CHECK(f.check(id, "SECRET-BOGUS", bearer(kTokA)).status == 200);
  CHECK(f.verifier.seen().back() == kTokA);
  auto r = f.check(id, kTokA, bearer("SECRET-BOGUS"));
  CHECK(r.status == 401);
  CHECK(f.verifier.seen().back() == "SECRET-BOGUS");
  require_no_token_anywhere(r, "SECRET-BOGUS");
  require_no_token_anywhere(r, kTokA);
  CHECK(f.check(id, kTokA, "Basic dXNlcjpwYXNz").status == 200);
}

TEST_CASE("a stream's head: status 200 and the SSE headers, no Content-Length", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto r = f.check(id, kTokA);
  REQUIRE(r.status == 200);
  CHECK(r.is_stream());
  CHECK(r.body.empty());
  auto type = header(r, "Content-Type");
  REQUIRE(type);
  CHECK(type->rfind("text/event-stream", 0) == 0);
  auto cache = header(r, "Cache-Control");
  REQUIRE(cache);
  CHECK(cache->find("no-cache") != std::string::npos);
  CHECK(cache->find("no-store") != std::string::npos);
  CHECK(cache->find("private") != std::string::npos);
  CHECK(header(r, "X-Accel-Buffering") == std::optional<std::string>("no"));
  CHECK_FALSE(header(r, "Content-Length"));
  require_no_token_anywhere(r, kTokA);
  CHECK(f.route->stats().open_streams == 0);  // check() alone opens nothing
}

// --- open(): the stream ----------------------------------------------------------

TEST_CASE("open() sends retry and the current status at once", "[route]") {
  EventsRouteOptions options;
  options.retry = std::chrono::milliseconds(1500);
  Fixture f(options);
  const std::string id = f.create();
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
  auto w = f.open(id);

  const std::string bytes = w->bytes();
  CHECK(bytes.rfind("retry: 1500\n\n", 0) == 0);
  auto p = EventStreamParser::parse(bytes);
  CHECK(p.retry() == std::optional<std::uint64_t>(1500));
  REQUIRE(p.events().size() == 1);
  CHECK(p.events()[0].last_event_id == "2");
  CHECK(p.events()[0].data == eudiplo_sse::status_event_json(*f.service.get("tenant-a", id)));
  CHECK_FALSE(p.has_pending());
  CHECK(bytes.find("\xEF\xBB\xBF") == std::string::npos);
  CHECK(w->close_calls() == 0);

  auto stats = f.route->stats();
  CHECK(stats.open_streams == 1);
  CHECK(stats.streams_opened == 1);
  CHECK(stats.events_sent == 1);
  CHECK(f.publisher.subscriber_count() == 1);
}

TEST_CASE("each change is one event; the terminal one ends the response", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto w = f.open(id);
  f.clock.advance(seconds(3));
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
  auto p = EventStreamParser::parse(w->bytes());
  CHECK(event_ids(p) == std::vector<std::uint64_t>{1, 2});
  CHECK(p.events()[1].data == eudiplo_sse::status_event_json(*f.service.get("tenant-a", id)));
  CHECK(w->close_calls() == 0);

  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::completed).changed);
  p = EventStreamParser::parse(w->bytes());
  CHECK(event_ids(p) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(p.events()[2].data.find("\"status\":\"completed\"") != std::string::npos);
  CHECK_FALSE(p.has_pending());
  CHECK(w->close_calls() == 1);
  CHECK(w->writes_after_close() == 0);
  CHECK(f.route->stats().events_sent == 3);

  w->end();  // the host finished the response
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.publisher.subscriber_count() == 0);
  CHECK(w->overlapping_calls() == 0);
}

TEST_CASE("a stream opened on a session that went terminal meanwhile ends at once", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto response = f.check(id, kTokA);
  REQUIRE(response.status == 200);
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::failed).changed);
  auto w = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(response), w);
  auto p = EventStreamParser::parse(w->bytes());
  CHECK(event_ids(p) == std::vector<std::uint64_t>{2});
  CHECK(p.events()[0].data.find("\"status\":\"failed\"") != std::string::npos);
  CHECK(w->close_calls() == 1);
}

TEST_CASE("open() ignores responses that are not streams", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto response = f.check(id, "");
  REQUIRE(response.status == 401);
  auto w = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(response), w);
  CHECK(w->write_calls() == 0);
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.publisher.subscriber_count() == 0);
}

TEST_CASE("a copied response opens one stream; dropping the copy leaves it open", "[route]") {
  // The stream subscribed in check() belongs to the response's feed until open();
  // a copy shares it, so only the first open() starts it (issue 12).
  Fixture f;
  const std::string id = f.create();
  auto response = f.check(id, kTokA);
  REQUIRE(response.is_stream());
  std::optional<EventsResponse> copy = response;
  auto first = std::make_shared<FakeSseWriter>();
  auto second = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(response), first);
  f.route->open(EventsResponse(*copy), second);
  copy.reset();
  CHECK(second->write_calls() == 0);
  CHECK(f.route->stats().open_streams == 1);
  CHECK(f.publisher.subscriber_count() == 1);
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::completed).changed);
  CHECK(event_ids(EventStreamParser::parse(first->bytes())) == std::vector<std::uint64_t>{1, 2});
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.publisher.subscriber_count() == 0);
}

TEST_CASE("every stream of a session gets the same event bytes", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto a = f.open(id);
  auto b = f.open(id);
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
  auto find_chunk = [](const FakeSseWriter& w) -> const std::string_view* {
    for (const auto& c : w.chunks())
      if (c->find("id: 2\n") != std::string::npos) return c.get();
    return nullptr;
  };
  REQUIRE(find_chunk(*a));
  CHECK(find_chunk(*a) == find_chunk(*b));
}

TEST_CASE("the stream ends when the token expires (tick with the service clock)", "[route]") {
  Fixture f;
  const std::string id = f.create("tenant-a", seconds(3600));
  auto w = f.open(id, kTokShort);  // expires at kT0 + 100 s
  auto other = f.open(id, kTokA);  // expires at kT0 + 3600 s
  f.clock.advance(seconds(50));
  f.route->tick();
  CHECK(w->close_calls() == 0);
  f.clock.advance(seconds(51));
  f.route->tick();
  CHECK(w->close_calls() == 1);
  CHECK(other->close_calls() == 0);
  w->end();
  CHECK(f.route->stats().open_streams == 1);
  CHECK(f.publisher.subscriber_count() == 1);

  // The closed stream hears nothing more; the other one does.
  const auto writes = w->write_calls();
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
  CHECK(w->write_calls() == writes);
  CHECK(event_ids(EventStreamParser::parse(other->bytes())) == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("keep-alive comments go out on tick when due", "[route]") {
  SECTION("not before the interval") {
    Fixture f;  // 15 s default
    auto w = f.open(f.create());
    f.route->tick();
    f.clock.advance(seconds(5));
    f.route->tick();
    CHECK(EventStreamParser::parse(w->bytes()).comments().empty());
  }
  SECTION("after the interval") {
    EventsRouteOptions options;
    options.heartbeat = seconds(1);
    Fixture f(options);
    auto w = f.open(f.create());
    f.route->tick();
    CHECK(EventStreamParser::parse(w->bytes()).comments().empty());
    // Past the interval by the service clock and by a monotonic one alike.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    f.clock.advance(seconds(2));
    f.route->tick();
    auto p = EventStreamParser::parse(w->bytes());
    CHECK(p.comments() == std::vector<std::string>{"keep-alive"});
    CHECK(p.events().size() == 1);
    CHECK_FALSE(p.has_pending());
    f.route->tick();  // not due again yet
    CHECK(EventStreamParser::parse(w->bytes()).comments().size() == 1);
    CHECK(w->close_calls() == 0);
  }
}

TEST_CASE("a full writer gets only the latest event once it drains", "[route]") {
  Fixture f;
  const std::string id = f.create();

  SECTION("non-terminal") {
    auto w = f.open(id, kTokA, FakeSseWriter::Mode::full);
    const auto writes = w->write_calls();
    REQUIRE(writes >= 1);
    REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
    CHECK(w->write_calls() == writes);  // held while full
    w->drain();
    auto p = EventStreamParser::parse(w->bytes());
    REQUIRE_FALSE(p.events().empty());
    CHECK(event_ids(p).back() == 2);
    CHECK(w->close_calls() == 0);
  }

  SECTION("intermediate versions are skipped; the terminal one arrives, then close") {
    auto w = f.open(id, kTokA, FakeSseWriter::Mode::full);
    const auto writes = w->write_calls();
    REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
    REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::completed).changed);
    CHECK(w->write_calls() == writes);
    CHECK(w->close_calls() == 0);  // closing now would lose the terminal event
    w->drain();
    auto p = EventStreamParser::parse(w->bytes());
    auto ids = event_ids(p);
    REQUIRE_FALSE(ids.empty());
    CHECK(ids.back() == 3);
    CHECK(std::find(ids.begin(), ids.end(), 2) == ids.end());
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(p.events().back().data.find("\"status\":\"completed\"") != std::string::npos);
    CHECK(w->close_calls() == 1);
    CHECK(w->writes_after_close() == 0);
  }
}

TEST_CASE("a writer that closes releases its stream", "[route]") {
  Fixture f;
  const std::string id = f.create();

  SECTION("client gone: on_closed fires") {
    auto w = f.open(id);
    REQUIRE(f.route->stats().open_streams == 1);
    w->end();
    CHECK(f.route->stats().open_streams == 0);
    CHECK(f.publisher.subscriber_count() == 0);
    const auto writes = w->write_calls();
    REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
    CHECK(w->write_calls() == writes);
  }

  SECTION("a write answers closed, then on_closed fires") {
    auto w = f.open(id);
    w->set_mode(FakeSseWriter::Mode::closed);
    REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
    w->end();
    CHECK(f.route->stats().open_streams == 0);
    CHECK(f.publisher.subscriber_count() == 0);
  }
}

TEST_CASE("close_all ends every open stream", "[route]") {
  Fixture f;
  auto a = f.open(f.create());
  auto b = f.open(f.create());
  CHECK(f.route->stats().open_streams == 2);
  f.route->close_all();
  CHECK(a->close_calls() == 1);
  CHECK(b->close_calls() == 1);
  a->end();
  b->end();
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.publisher.subscriber_count() == 0);
}

TEST_CASE("writers may call back after the route is gone", "[route]") {
  Fixture f;
  const std::string id = f.create();
  auto full = f.open(id, kTokA, FakeSseWriter::Mode::full);
  auto open = f.open(id);
  f.route.reset();  // ends every stream
  CHECK(full->close_calls() == 1);
  CHECK(open->close_calls() == 1);
  full->drain();
  full->end();
  open->end();
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::fetched).changed);
  CHECK(f.publisher.subscriber_count() == 0);
}

TEST_CASE("an expiry sweep ends the stream with the expired event", "[route]") {
  Fixture f;
  const std::string id = f.create("tenant-a", seconds(30));
  auto w = f.open(id);
  f.clock.advance(seconds(31));
  REQUIRE(f.service.expire_due() == 1);
  auto p = EventStreamParser::parse(w->bytes());
  REQUIRE(event_ids(p) == std::vector<std::uint64_t>{1, 2});
  CHECK(p.events()[1].data.find("\"status\":\"expired\"") != std::string::npos);
  CHECK(w->close_calls() == 1);
}

TEST_CASE("streams, changes and ticks from several threads", "[route][threads]") {
  EventsRouteOptions options;
  options.heartbeat = seconds(1);
  Fixture f(options);
  constexpr int kSessions = 20;
  std::vector<std::string> ids;
  std::vector<std::shared_ptr<FakeSseWriter>> writers;
  for (int i = 0; i < kSessions; ++i) {
    ids.push_back(f.create());
    writers.push_back(f.open(ids.back()));
    writers.push_back(f.open(ids.back()));
  }
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) {
      // Slow enough that neither token (1 h) nor session (5 min) expires meanwhile.
      f.clock.advance(std::chrono::milliseconds(10));
      f.route->tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::thread changer([&] {
    for (int i = 0; i < kSessions; i += 2)
      f.service.set_status("tenant-a", ids[i], SessionStatus::fetched);
    for (int i = 0; i < kSessions; ++i)
      f.service.set_status("tenant-a", ids[i], SessionStatus::completed);
  });
  std::thread opener([&] {
    for (int i = 0; i < kSessions; ++i) {
      auto r = f.check(ids[i], kTokA);
      if (r.status != 200) continue;
      auto w = std::make_shared<FakeSseWriter>();
      f.route->open(std::move(r), w);
      w->end();
    }
  });
  changer.join();
  opener.join();
  stop = true;
  ticker.join();

  for (std::size_t i = 0; i < writers.size(); ++i) {
    INFO("writer " << i);
    auto p = EventStreamParser::parse(writers[i]->bytes());
    auto ev = event_ids(p);
    REQUIRE_FALSE(ev.empty());
    CHECK(std::adjacent_find(ev.begin(), ev.end(), [](auto a, auto b) { return a >= b; }) ==
          ev.end());
    CHECK(p.events().back().data.find("\"status\":\"completed\"") != std::string::npos);
    CHECK(writers[i]->close_calls() == 1);
    CHECK(writers[i]->overlapping_calls() == 0);
    writers[i]->end();
  }
  CHECK(f.route->stats().open_streams == 0);
  CHECK(f.publisher.subscriber_count() == 0);
}

// --- helpers ---------------------------------------------------------------------

TEST_CASE("error_body is the contract's JSON, escaped", "[route]") {
  auto body = parse_error_body(eudiplo_sse::error_body(404, "session not found"));
  CHECK(body.names == std::vector<std::string>{"statusCode", "error", "message"});
  CHECK(body.status_code == 404);
  CHECK(body.error == "Not Found");
  CHECK(body.message == "session not found");
  CHECK(eudiplo_sse::error_body(401, "x") ==
        R"({"statusCode":401,"error":"Unauthorized","message":"x"})");
  auto tricky = parse_error_body(eudiplo_sse::error_body(400, "a \"quoted\" \\ \n line"));
  CHECK(tricky.message == "a \"quoted\" \\ \n line");
}

TEST_CASE("reason phrases of the statuses the route produces", "[route]") {
  CHECK(eudiplo_sse::reason_phrase(200) == "OK");
  CHECK(eudiplo_sse::reason_phrase(204) == "No Content");
  CHECK(eudiplo_sse::reason_phrase(400) == "Bad Request");
  CHECK(eudiplo_sse::reason_phrase(401) == "Unauthorized");
  CHECK(eudiplo_sse::reason_phrase(403) == "Forbidden");
  CHECK(eudiplo_sse::reason_phrase(404) == "Not Found");
}

// --- the cap on streams per session (EventsRouteOptions::max_streams_per_session) --

TEST_CASE("one stream more than the session's cap is a 429; a slot comes back when one ends",
          "[route][stream_cap]") {
  EventsRouteOptions options;
  options.max_streams_per_session = 2;
  Fixture f(options);
  const std::string id = f.create();
  auto first = f.open(id);
  auto second = f.open(id);

  const EventsResponse third = f.check(id, kTokA);
  require_refusal(third, 429, "Too Many Requests");
  CHECK(header(third, "Retry-After") == std::optional<std::string>("10"));
  require_no_token_anywhere(third, kTokA);
  CHECK(f.route->stats().streams_refused == 1);

  // Another session, and the same id under another tenant, have counts of their own.
  const std::string other = f.create();
  CHECK(f.check(other, kTokA).status == 200);
  CHECK(f.check(id, kTokB).status == 404);  // not tenant-b's: 404 as ever, not 429

  // The refused check left the session: one stream ending frees exactly one place.
  first->end();
  auto again = f.open(id);
  CHECK(f.check(id, kTokA).status == 429);
  CHECK(f.route->stats().streams_refused == 2);
  CHECK(f.route->stats().open_streams == 2);
}

TEST_CASE("the cap comes after the contract's refusals and counts checks not yet opened",
          "[route][stream_cap]") {
  EventsRouteOptions options;
  options.max_streams_per_session = 1;
  Fixture f(options);
  const std::string id = f.create();
  // A response held between check and open already follows the session.
  EventsResponse held = f.check(id, kTokA);
  REQUIRE(held.status == 200);
  CHECK(f.check(id, kTokA).status == 429);
  CHECK(f.check(id, "not-a-token").status == 401);  // the token is checked first
  CHECK(f.check("no-such-session", kTokA).status == 404);

  // Dropping the held response gives its place back.
  held = EventsResponse{};
  held = f.check(id, kTokA);
  REQUIRE(held.status == 200);

  // A finished session, its place taken, still answers 204 to the client that saw
  // its end (version 2: created, then completed).
  REQUIRE(f.service.set_status("tenant-a", id, SessionStatus::completed).changed);
  CHECK(f.check(id, kTokA, "", "2").status == 204);
  CHECK(f.check(id, kTokA).status == 429);
}

TEST_CASE("concurrent checks never open more streams than the cap", "[route][stream_cap]") {
  EventsRouteOptions options;
  options.max_streams_per_session = 5;
  Fixture f(options);
  const std::string id = f.create();
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  std::vector<EventsResponse> kept(40);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 40; i += 4) {
        EventsResponse r = f.check(id, kTokA);
        if (r.status == 200) {
          ++admitted;
          kept[static_cast<std::size_t>(i)] = std::move(r);  // keep following the session
        } else if (r.status == 429) {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(admitted.load() >= 1);
  CHECK(admitted.load() <= 5);
  CHECK(admitted.load() + refused.load() == 40);
}

TEST_CASE("no cap by default", "[route][stream_cap]") {
  Fixture f;
  const std::string id = f.create();
  std::vector<std::shared_ptr<FakeSseWriter>> writers;
  for (int i = 0; i < 100; ++i) writers.push_back(f.open(id));
  CHECK(f.route->stats().open_streams == 100);
  CHECK(f.route->stats().streams_refused == 0);
}
