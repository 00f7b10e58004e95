// JwksUrlSource's refresh policy, with a fake fetch and a manual clock: max-age
// within bounds, last good set kept on failures, early refresh for unknown kids
// at most once per min_interval.
#include "eudiplo_sse/jwks_url_source.hpp"

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "key_rotation_keys.hpp"

using eudiplo_sse::error;
using eudiplo_sse::HttpFetchDone;
using eudiplo_sse::HttpFetchResult;
using eudiplo_sse::JwksUrlSource;
using eudiplo_sse::JwksUrlSourceOptions;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using eudiplo_sse::TimePoint;
using eudiplo_sse::detail::cache_control_max_age;
using rotation_test::jwks_of;
using rotation_test::make_key;
using rotation_test::token_of;
using std::chrono::seconds;

namespace {

// Fetches are held until the test answers them.
struct FakeFetch {
  std::vector<std::string> urls;
  std::vector<HttpFetchDone> pending;

  eudiplo_sse::HttpFetch fn() {
    return [this](const std::string& url, HttpFetchDone done) {
      urls.push_back(url);
      pending.push_back(std::move(done));
    };
  }
  void answer(int status, std::string body, std::string cache_control = {}) {
    REQUIRE(pending.size() == 1);
    auto done = std::move(pending.back());
    pending.clear();
    done(HttpFetchResult{{}, status, std::move(body), std::move(cache_control)});
  }
  void fail(std::error_code ec) {
    REQUIRE(pending.size() == 1);
    auto done = std::move(pending.back());
    pending.clear();
    done(HttpFetchResult{ec, 0, {}, {}});
  }
};

struct Fixture {
  TimePoint t = jwt_test::at(jwt_test::kNow);
  FakeFetch fetch;
  std::vector<std::string> log;
  JwtVerifier verifier{[] {
    JwtVerifierOptions o;
    o.issuer = "issuer";
    o.audience = "audience";
    return o;
  }()};
  std::unique_ptr<JwksUrlSource> source;

  Fixture() {
    JwksUrlSourceOptions o;
    o.url = "https://idp.example/jwks";
    o.fetch = fetch.fn();
    o.default_interval = seconds(300);
    o.min_interval = seconds(30);
    o.max_interval = seconds(3600);
    o.clock = [this] { return t; };
    o.log = [this](std::string_view line) { log.emplace_back(line); };
    source = std::make_unique<JwksUrlSource>(verifier, std::move(o));
  }
  void advance(seconds s) { t += s; }
  bool logged(const std::string& part) const {
    for (const auto& line : log) {
      if (line.find(part) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace

TEST_CASE("Cache-Control max-age is read from the header", "[jwks][url]") {
  CHECK_FALSE(cache_control_max_age(""));
  CHECK_FALSE(cache_control_max_age("public"));
  CHECK(cache_control_max_age("max-age=120") == seconds(120));
  CHECK(cache_control_max_age("public, Max-Age = \"45\" , must-revalidate") == seconds(45));
  CHECK(cache_control_max_age("max-age=60, no-cache") == seconds(0));
  CHECK(cache_control_max_age("no-store") == seconds(0));
  CHECK_FALSE(cache_control_max_age("max-age=12x"));
  CHECK(cache_control_max_age("max-age=99999999999999999999999") == seconds(365 * 86400));
}

TEST_CASE("the first tick fetches; max-age sets the next, within bounds", "[jwks][url]") {
  Fixture f;
  const auto a = make_key("a");
  f.source->tick();
  REQUIRE(f.fetch.urls == std::vector<std::string>{"https://idp.example/jwks"});
  CHECK(f.source->fetching());
  f.source->tick();  // one fetch at a time
  CHECK(f.fetch.urls.size() == 1);
  f.fetch.answer(200, jwks_of({&a}), "public, max-age=100");
  CHECK_FALSE(f.source->fetching());
  CHECK(f.verifier.key_count() == 1);
  CHECK_FALSE(f.verifier.verify(token_of(a), f.t).error);
  CHECK(f.source->stats().refreshes == 1);

  f.advance(seconds(99));
  f.source->tick();
  CHECK(f.fetch.urls.size() == 1);
  f.advance(seconds(1));
  f.source->tick();
  REQUIRE(f.fetch.urls.size() == 2);
  f.fetch.answer(200, jwks_of({&a}), "max-age=5");  // below min_interval: 30 s
  f.advance(seconds(29));
  f.source->tick();
  CHECK(f.fetch.urls.size() == 2);
  f.advance(seconds(1));
  f.source->tick();
  REQUIRE(f.fetch.urls.size() == 3);
  f.fetch.answer(200, jwks_of({&a}), "max-age=999999");  // above max_interval: 3600 s
  f.advance(seconds(3599));
  f.source->tick();
  CHECK(f.fetch.urls.size() == 3);
  f.advance(seconds(1));
  f.source->tick();
  REQUIRE(f.fetch.urls.size() == 4);
  f.fetch.answer(200, jwks_of({&a}));  // no max-age: default_interval, 300 s
  f.advance(seconds(299));
  f.source->tick();
  CHECK(f.fetch.urls.size() == 4);
  f.advance(seconds(1));
  f.source->tick();
  CHECK(f.fetch.urls.size() == 5);
}

TEST_CASE("a rotation replaces the keys; failures keep the last good set", "[jwks][url]") {
  Fixture f;
  const auto a = make_key("a");
  const auto b = make_key("b");
  f.source->tick();
  f.fetch.answer(200, jwks_of({&a}), "max-age=60");
  const auto token_a = token_of(a);
  REQUIRE_FALSE(f.verifier.verify(token_a, f.t).error);

  struct Bad {
    const char* name;
    int status;
    std::string body;
    std::error_code transport;
  };
  const std::vector<Bad> bad = {
      {"transport error", 0, "", std::make_error_code(std::errc::connection_refused)},
      {"HTTP 500", 500, jwks_of({&b}), {}},
      {"garbage", 200, "<html>oops</html>", {}},
      {"no usable key", 200, R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})", {}},
      {"too large", 200, std::string(2 << 20, ' '), {}},
  };
  std::uint64_t failures = 0;
  for (const auto& b_case : bad) {
    INFO(b_case.name);
    f.advance(seconds(60));
    f.source->tick();
    if (b_case.transport) {
      f.fetch.fail(b_case.transport);
    } else {
      f.fetch.answer(b_case.status, b_case.body);
    }
    ++failures;
    CHECK(f.source->stats().failures == failures);
    CHECK(f.source->stats().last_error);
    CHECK(f.verifier.key_count() == 1);
    CHECK_FALSE(f.verifier.verify(token_a, f.t).error);
    // Retried after min_interval, not after the full interval.
    const auto fetches = f.fetch.urls.size();
    f.advance(seconds(29));
    f.source->tick();
    CHECK(f.fetch.urls.size() == fetches);
    f.advance(seconds(1));
    f.source->tick();
    CHECK(f.fetch.urls.size() == fetches + 1);
    f.fetch.answer(200, jwks_of({&a}), "max-age=60");
    CHECK_FALSE(f.source->stats().last_error);
  }
  CHECK(f.logged("keeping the last good key set"));
  CHECK(f.logged("HTTP status 500"));
  CHECK(f.logged("not a usable JWKS"));

  f.advance(seconds(60));
  f.source->tick();
  f.fetch.answer(200, jwks_of({&b}), "max-age=60");
  CHECK(f.verifier.verify(token_a, f.t).error == error::key_unknown);
  CHECK_FALSE(f.verifier.verify(token_of(b), f.t).error);
  CHECK(f.logged("new key set"));
}

TEST_CASE("1000 unknown kids cause one early fetch per min_interval", "[jwks][url]") {
  Fixture f;
  const auto a = make_key("a");
  f.source->tick();
  f.fetch.answer(200, jwks_of({&a}), "max-age=3600");
  std::mt19937_64 random(42);
  auto flood = [&] {
    for (int i = 0; i < 1000; ++i) {
      const auto r = f.verifier.verify(token_of(a, "forged-" + std::to_string(random())), f.t);
      REQUIRE(r.error == error::key_unknown);
      f.source->tick();  // as often as the host likes: one tick per token here
      if (!f.fetch.pending.empty()) f.fetch.answer(200, jwks_of({&a}), "max-age=3600");
    }
  };
  f.advance(seconds(10));
  flood();  // 10 s after the last fetch: too early for an early one
  CHECK(f.fetch.urls.size() == 1);
  f.advance(seconds(20));
  flood();  // 30 s after: exactly one early fetch
  CHECK(f.fetch.urls.size() == 2);
  CHECK(f.source->stats().early_refreshes == 1);
  f.advance(seconds(29));
  flood();
  CHECK(f.fetch.urls.size() == 2);
  f.advance(seconds(1));
  flood();
  CHECK(f.fetch.urls.size() == 3);
  CHECK(f.source->stats().early_refreshes == 2);
  // Unknown kids seen after that fetch are answered once more, then, with no new
  // unknown kid, nothing is fetched before max-age (an hour).
  f.advance(seconds(600));
  f.source->tick();
  REQUIRE(f.fetch.urls.size() == 4);
  f.fetch.answer(200, jwks_of({&a}), "max-age=3600");
  f.advance(seconds(600));
  f.source->tick();
  CHECK(f.fetch.urls.size() == 4);
}

TEST_CASE("an early fetch brings in a key the provider just published", "[jwks][url]") {
  Fixture f;
  const auto a = make_key("a");
  const auto b = make_key("b");
  f.source->tick();
  f.fetch.answer(200, jwks_of({&a}), "max-age=3600");
  f.advance(seconds(45));
  const auto token_b = token_of(b);
  CHECK(f.verifier.verify(token_b, f.t).error == error::key_unknown);
  f.source->tick();
  REQUIRE(f.fetch.urls.size() == 2);
  f.fetch.answer(200, jwks_of({&a, &b}), "max-age=3600");
  CHECK_FALSE(f.verifier.verify(token_b, f.t).error);
}

TEST_CASE("refresh() fetches at the next tick; a fetch outliving the source is harmless",
          "[jwks][url]") {
  Fixture f;
  const auto a = make_key("a");
  f.source->tick();
  f.fetch.answer(200, jwks_of({&a}), "max-age=3600");
  f.source->refresh();
  f.source->tick();
  REQUIRE(f.fetch.urls.size() == 2);
  auto late = std::move(f.fetch.pending.back());
  f.fetch.pending.clear();
  f.source.reset();
  late(HttpFetchResult{{}, 200, "{}", {}});  // completes into nothing
  CHECK(f.verifier.key_count() == 1);
}
