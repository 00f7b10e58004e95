#include "events_token_endpoint.hpp"

#include <rapidjson/document.h>

#include <optional>

#include "catch.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "eudiplo_sse/status_publisher.hpp"
#include "fake_exchange.hpp"
#include "json_body.hpp"

using namespace eudiplo_sse;
using namespace eudiplo_sse::server;
using eudiplo_sse::test::make_request;
using std::chrono::seconds;

namespace {

constexpr std::string_view secret = "unit-test-secret-0123456789abcdef-0123";

// A session service on a clock the test moves, the token issuer of POST /oauth2/token
// and the endpoint under test, all sharing one HS256 secret.
struct Fixture {
  TimePoint now = TimePoint(seconds(1'800'000'000));
  InMemorySessionStore store;
  StatusPublisher publisher;
  SessionService sessions{store, publisher, [this] { return now; }};
  JwtVerifier verifier{[] {
    JwtVerifierOptions o;
    o.issuer = "eudiplo-service";
    o.audience = "sse";
    return o;
  }()};
  std::atomic<std::uint64_t> failures{0};
  TokenIssuerOptions issuer_options;

  explicit Fixture(seconds token_ttl = seconds(3600)) {
    REQUIRE_FALSE(verifier.add_hmac_secret(secret));
    issuer_options.secret = std::string(secret);
    issuer_options.issuer = "eudiplo-service";
    issuer_options.audience = "sse";
    issuer_options.lifetime = token_ttl;
    issuer_options.verifier_leeway = verifier.options().leeway;
    issuer_options.clients = {{"demo", "demo-secret", "demo"}, {"other", "other", "tenant-b"}};
  }

  std::string access_token(std::size_t client = 0) const {
    return OAuthTokenEndpoint(issuer_options).issue(issuer_options.clients.at(client), now);
  }

  http::HttpResponse mint(const std::string& id, const std::string& token) {
    EventsTokenEndpoint endpoint(verifier, sessions, failures, issuer_options);
    std::vector<http::HttpField> fields;
    if (!token.empty()) fields.push_back({"Authorization", "Bearer " + token});
    std::optional<http::HttpResponse> out;
    endpoint.handle(make_request("POST", "/session/" + id + "/events-token", fields), id,
                    [&out](http::HttpResponse r) { out = std::move(r); });
    REQUIRE(out);  // the in-memory store completes before handle() returns
    return std::move(*out);
  }
};

rapidjson::Document json(const std::string& text) {
  auto d = parse_json_object(text);
  REQUIRE(d);
  return std::move(*d);
}

// The claims of a token, after checking its signature as the events route would.
rapidjson::Document claims(const std::string& token, TimePoint now) {
  JwtVerifierOptions o;
  o.issuer = "eudiplo-service";
  o.audience = "sse";
  JwtVerifier v(o);
  REQUIRE_FALSE(v.add_hmac_secret(secret));
  REQUIRE_FALSE(v.verify(token, now).error);
  const auto first = token.find('.');
  std::string payload = token.substr(first + 1, token.find('.', first + 1) - first - 1);
  for (char& c : payload) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (payload.size() % 4) payload.push_back('=');
  const auto text = base64_decode(payload);
  REQUIRE(text);
  return json(*text);
}

}  // namespace

TEST_CASE("events-token: a token bound to the session by sid, with the caller's identity",
          "[events-token]") {
  Fixture f;
  const auto session = f.sessions.create("demo", seconds(300)).session;
  const auto r = f.mint(session.id, f.access_token());
  REQUIRE(r.status == 201);
  const auto body = json(r.body);
  CHECK(std::string(body["token_type"].GetString()) == "Bearer");
  CHECK(body["expires_in"].GetInt64() == 300);
  const auto c = claims(body["access_token"].GetString(), f.now);
  CHECK(std::string(c["sid"].GetString()) == session.id);
  CHECK(std::string(c["tenant_id"].GetString()) == "demo");
  CHECK(std::string(c["sub"].GetString()) == "demo");
  CHECK(std::string(c["iss"].GetString()) == "eudiplo-service");
  CHECK(std::string(c["aud"].GetString()) == "sse");
  REQUIRE(c["roles"].IsArray());
  CHECK(c["roles"].Size() == f.issuer_options.roles.size());
  CHECK(c["exp"].GetInt64() - c["iat"].GetInt64() == 300);
  CHECK(c["iat"].GetInt64() == 1'800'000'000);
  bool no_store = false;
  for (const auto& field : r.fields)
    no_store |= field.name == "Cache-Control" && field.value == "no-store";
  CHECK(no_store);
}

TEST_CASE("events-token: lifetime is the least of --token-ttl, the session's and the caller's",
          "[events-token]") {
  SECTION("--token-ttl") {
    Fixture f(seconds(60));
    const auto session = f.sessions.create("demo", seconds(300)).session;
    const auto r = f.mint(session.id, f.access_token());
    REQUIRE(r.status == 201);
    CHECK(json(r.body)["expires_in"].GetInt64() == 60);
  }
  SECTION("the session's remaining TTL") {
    Fixture f;
    const auto session = f.sessions.create("demo", seconds(300)).session;
    const auto token = f.access_token();
    f.now += seconds(280);
    const auto r = f.mint(session.id, token);
    REQUIRE(r.status == 201);
    const auto body = json(r.body);
    CHECK(body["expires_in"].GetInt64() == 20);
    const auto c = claims(body["access_token"].GetString(), f.now);
    CHECK(c["exp"].GetInt64() == 1'800'000'300);
  }
  SECTION("the caller's own token") {
    Fixture f;
    f.issuer_options.lifetime = seconds(100);
    const auto token = f.access_token();  // expires at +100
    f.issuer_options.lifetime = seconds(3600);
    const auto session = f.sessions.create("demo", seconds(300)).session;
    f.now += seconds(30);
    const auto r = f.mint(session.id, token);
    REQUIRE(r.status == 201);
    CHECK(json(r.body)["expires_in"].GetInt64() == 70);
  }
  SECTION("nothing left: 409") {
    Fixture f;
    const auto session = f.sessions.create("demo", seconds(10)).session;
    const auto token = f.access_token();
    f.now += seconds(10);
    const auto r = f.mint(session.id, token);
    CHECK(r.status == 409);
    CHECK(r.body.find(token) == std::string::npos);
  }
}

TEST_CASE("events-token: tenant-scoped and authenticated", "[events-token]") {
  Fixture f;
  const auto session = f.sessions.create("demo", seconds(300)).session;
  SECTION("another tenant's session is a 404") {
    const auto r = f.mint(session.id, f.access_token(1));
    CHECK(r.status == 404);
    CHECK(r.body.find("access_token") == std::string::npos);
  }
  SECTION("an unknown session is a 404") {
    CHECK(f.mint("no-such-session", f.access_token()).status == 404);
  }
  SECTION("no token: 401 with a Bearer challenge") {
    const auto r = f.mint(session.id, "");
    CHECK(r.status == 401);
    bool challenge = false;
    for (const auto& field : r.fields) challenge |= field.name == "WWW-Authenticate";
    CHECK(challenge);
    CHECK(f.failures.load() == 1);
  }
  SECTION("a bad token: 401") {
    auto token = f.access_token();
    token.back() = token.back() == 'A' ? 'B' : 'A';
    CHECK(f.mint(session.id, token).status == 401);
  }
  SECTION("a forbidden id: 400") { CHECK(f.mint("a%20b", f.access_token()).status == 400); }
  SECTION("a session-scoped token cannot mint another one (403)") {
    const auto first = f.mint(session.id, f.access_token());
    REQUIRE(first.status == 201);
    const auto r = f.mint(session.id, json(first.body)["access_token"].GetString());
    CHECK(r.status == 403);
  }
}
