// EventsRoute with a real JwtVerifier across key rotations: a stream whose key
// stays keeps streaming, a stream whose key left the set ends as at token expiry,
// and a stream opened just after its key left ends at once.
#include <memory>
#include <string>

#include "catch.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "fake_sse_writer.hpp"
#include "key_rotation_keys.hpp"

using eudiplo_sse::EventsRequest;
using eudiplo_sse::EventsRoute;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using eudiplo_sse::TimePoint;
using eudiplo_sse::test::FakeSseWriter;
using rotation_test::jwks_of;
using rotation_test::make_key;
using rotation_test::token_of;

namespace {

struct Fixture {
  TimePoint now = jwt_test::at(jwt_test::kNow);
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService service{store, publisher, [this] { return now; }};
  JwtVerifier verifier{[] {
    JwtVerifierOptions o;
    o.issuer = "issuer";
    o.audience = "audience";
    return o;
  }()};
  std::unique_ptr<EventsRoute> route;
  std::string session_id;

  Fixture() {
    route = std::make_unique<EventsRoute>(verifier, service);
    auto created = service.create("tenant-a", std::chrono::seconds(300));
    REQUIRE_FALSE(created.error);
    session_id = created.session.id;
  }
  ~Fixture() { route.reset(); }

  eudiplo_sse::EventsResponse check(const std::string& token) {
    return route->check(EventsRequest{session_id, token, "", ""});
  }
  std::shared_ptr<FakeSseWriter> open(const std::string& token) {
    auto response = check(token);
    REQUIRE(response.status == 200);
    auto writer = std::make_shared<FakeSseWriter>();
    route->open(std::move(response), writer);
    return writer;
  }
};

}  // namespace

TEST_CASE("a rotation ends the streams of removed keys only", "[route][rotation]") {
  Fixture f;
  const auto a = make_key("a");
  const auto b = make_key("b");
  const auto c = make_key("c");
  REQUIRE_FALSE(f.verifier.replace_jwks(jwks_of({&a, &b})));
  auto stream_a = f.open(token_of(a));
  auto stream_b = f.open(token_of(b));
  f.route->tick();
  REQUIRE(f.route->stats().open_streams == 2);

  // Same keys reloaded: nothing changes.
  REQUIRE_FALSE(f.verifier.replace_jwks(jwks_of({&b, &a})));
  f.route->tick();
  CHECK(f.route->stats().open_streams == 2);

  // a stays, b leaves, c arrives.
  REQUIRE_FALSE(f.verifier.replace_jwks(jwks_of({&a, &c})));
  CHECK(f.route->stats().open_streams == 2);  // nothing ends before the route's tick
  f.route->tick();
  CHECK(f.route->stats().open_streams == 1);
  CHECK(stream_b->close_calls() == 1);
  CHECK(stream_a->close_calls() == 0);
  CHECK(f.check(token_of(b)).status == 401);
  auto stream_c = f.open(token_of(c));
  CHECK(f.route->stats().open_streams == 2);

  // Updates still reach the surviving stream.
  const auto before = stream_a->bytes().size();
  REQUIRE_FALSE(
      f.service.set_status("tenant-a", f.session_id, eudiplo_sse::SessionStatus::fetched).error);
  CHECK(stream_a->bytes().size() > before);
}

TEST_CASE("a stream opened after its key left the set ends at once", "[route][rotation]") {
  Fixture f;
  const auto a = make_key("a");
  const auto b = make_key("b");
  REQUIRE_FALSE(f.verifier.replace_jwks(jwks_of({&a})));
  auto response = f.check(token_of(a));
  REQUIRE(response.status == 200);
  REQUIRE_FALSE(f.verifier.replace_jwks(jwks_of({&b})));
  f.route->tick();  // the walk cannot see the stream: it is not open yet
  auto writer = std::make_shared<FakeSseWriter>();
  f.route->open(std::move(response), writer);
  CHECK(writer->close_calls() == 1);
  CHECK(f.route->stats().open_streams == 0);
}
