// EventsRoute with the library's JwtVerifier: session-bound tokens (`sid`) and the
// one expiry rule shared by check() and tick() (issue 11). The route's other
// behaviour is in events_route_test.cpp.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/jwt_signer.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "fake_sse_writer.hpp"

using eudiplo_sse::EventsRequest;
using eudiplo_sse::EventsResponse;
using eudiplo_sse::EventsRoute;
using eudiplo_sse::TimePoint;
using eudiplo_sse::test::FakeSseWriter;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kT0 = 1'768'478'400;  // 2026-01-15T12:00:00Z

class ManualClock {
 public:
  TimePoint now() const { return TimePoint(TimePoint::duration(ns_.load())); }
  void set(TimePoint t) { ns_.store(t.time_since_epoch().count()); }

 private:
  std::atomic<TimePoint::rep> ns_{TimePoint(seconds(kT0)).time_since_epoch().count()};
};

eudiplo_sse::JwtVerifierOptions leeway_options(seconds leeway) {
  eudiplo_sse::JwtVerifierOptions o;
  o.leeway = leeway;
  return o;
}

struct Fixture {
  explicit Fixture(seconds leeway = seconds(30)) : verifier(leeway_options(leeway)) {
    REQUIRE_FALSE(verifier.add_hmac_secret(kSecret));
    route = std::make_unique<EventsRoute>(verifier, service);
  }
  ~Fixture() { route.reset(); }

  std::string create(const std::string& tenant = "tenant-a") {
    auto r = service.create(tenant, std::chrono::hours(2));
    REQUIRE_FALSE(r.error);
    return r.session.id;
  }

  // An HS256 token for tenant-a expiring `exp` seconds after kT0, bound to `sid`
  // when given.
  static std::string token(std::int64_t exp, const std::string& sid = {}) {
    std::string claims = R"({"tenant_id":"tenant-a","exp":)" + std::to_string(kT0 + exp);
    if (!sid.empty()) claims += R"(,"sid":")" + sid + "\"";
    return eudiplo_sse::sign_hs_jwt(claims + "}", kSecret);
  }

  EventsResponse check(const std::string& id, const std::string& tok) {
    return route->check(EventsRequest{id, tok, "", ""});
  }

  ManualClock clock;
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService service{store, publisher, [this] { return clock.now(); }};
  eudiplo_sse::JwtVerifier verifier;
  std::unique_ptr<EventsRoute> route;
};

std::string message_of(eudiplo_sse::error e) { return make_error_code(e).message(); }

}  // namespace

TEST_CASE("a sid-bound token opens its own session only; others are 403", "[route][issue11]") {
  Fixture f;
  const std::string mine = f.create();
  const std::string other = f.create();
  const std::string tok = Fixture::token(3600, mine);

  const EventsResponse ok = f.check(mine, tok);
  REQUIRE(ok.status == 200);

  const EventsResponse refused = f.check(other, tok);
  CHECK(refused.status == 403);
  CHECK(refused.body.find(message_of(eudiplo_sse::error::session_mismatch)) != std::string::npos);
  CHECK(refused.body.find(tok) == std::string::npos);
  // Before the session lookup: a missing or malformed id tells nothing either.
  CHECK(f.check("no-such-session", tok).status == 403);
  CHECK(f.check("bad id!", tok).status == 403);
  CHECK(f.route->stats().forbidden == 3);

  // Opening the bound stream works end to end.
  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(EventsResponse(ok), writer);
  CHECK(f.route->stats().open_streams == 1);
  CHECK(writer->bytes().find("data: ") != std::string::npos);
}

TEST_CASE("a token without sid keeps opening any session of its tenant", "[route][issue11]") {
  Fixture f;
  const std::string a = f.create();
  const std::string b = f.create();
  const std::string tok = Fixture::token(3600);
  const EventsResponse ra = f.check(a, tok);
  CHECK(ra.status == 200);
  CHECK(f.check(b, tok).status == 200);
  CHECK(f.route->stats().forbidden == 0);
}

TEST_CASE("session_mismatch is a forbidden auth failure", "[route][issue11]") {
  using eudiplo_sse::auth_failure;
  CHECK(make_error_code(eudiplo_sse::error::session_mismatch) == auth_failure::forbidden);
  CHECK_FALSE(make_error_code(eudiplo_sse::error::session_mismatch) ==
              auth_failure::unauthenticated);
  CHECK_FALSE(make_error_code(eudiplo_sse::error::token_expired) == auth_failure::forbidden);
  CHECK(make_error_code(eudiplo_sse::error::session_mismatch).category() ==
        eudiplo_sse::error_category());
}

TEST_CASE("one expiry rule: no stream opens that tick() would end at once", "[route][issue11]") {
  // exp at kT0 + 10 s, leeway 30 s: accepted until kT0 + 40 s, ended exactly then.
  Fixture f(seconds(30));
  const std::string id = f.create();
  const std::string tok = Fixture::token(10);
  const TimePoint limit = TimePoint(seconds(kT0 + 40));

  // Walk through exp and the whole leeway in 250 ms steps: wherever check() lets a
  // stream open, a tick at that same instant leaves it open.
  int opened = 0;
  for (auto t = TimePoint(seconds(kT0)); t <= limit + seconds(2); t += milliseconds(250)) {
    f.clock.set(t);
    EventsResponse r = f.check(id, tok);
    INFO("t = kT0 + "
         << std::chrono::duration_cast<milliseconds>(t - TimePoint(seconds(kT0))).count()
         << " ms, status " << r.status);
    if (t < limit) {
      REQUIRE(r.status == 200);
      auto writer = std::make_shared<FakeSseWriter>();
      f.route->open(std::move(r), writer);
      f.route->tick();
      CHECK(writer->close_calls() == 0);
      ++opened;
      writer->end();
    } else {
      CHECK(r.status == 401);
      CHECK(r.body.find(message_of(eudiplo_sse::error::token_expired)) != std::string::npos);
    }
  }
  CHECK(opened == 160);
}

TEST_CASE("a stream opened inside the leeway ends when the leeway runs out", "[route][issue11]") {
  Fixture f(seconds(30));
  const std::string id = f.create();
  f.clock.set(TimePoint(seconds(kT0 + 15)));  // past exp (kT0 + 10), inside the leeway
  EventsResponse r = f.check(id, Fixture::token(10));
  REQUIRE(r.status == 200);
  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(r), writer);
  f.clock.set(TimePoint(seconds(kT0 + 39)) + milliseconds(999));
  f.route->tick();
  CHECK(writer->close_calls() == 0);
  f.clock.set(TimePoint(seconds(kT0 + 40)));
  f.route->tick();
  CHECK(writer->close_calls() == 1);
}

namespace {
// A host's verifier that accepts a token past the expiry it reports: the route
// holds to the rule itself.
class LaxVerifier final : public eudiplo_sse::TokenVerifier {
 public:
  eudiplo_sse::VerifyResult verify(std::string_view, TimePoint) const override {
    eudiplo_sse::VerifyResult r;
    r.principal.tenant = "tenant-a";
    r.principal.expires_at = TimePoint(seconds(kT0 + 5));
    return r;
  }
};
}  // namespace

TEST_CASE("check() refuses a principal whose expiry has passed, whatever the verifier",
          "[route][issue11]") {
  Fixture f;
  const std::string id = f.create();
  LaxVerifier lax;
  EventsRoute route(lax, f.service);
  f.clock.set(TimePoint(seconds(kT0 + 4)));
  CHECK(route.check(EventsRequest{id, "t", "", ""}).status == 200);
  f.clock.set(TimePoint(seconds(kT0 + 5)));
  const EventsResponse r = route.check(EventsRequest{id, "t", "", ""});
  CHECK(r.status == 401);
  CHECK(route.stats().unauthorized == 1);
}
