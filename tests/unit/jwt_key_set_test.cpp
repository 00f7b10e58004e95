// Key rotation in JwtVerifier (jwt_key_set.hpp, replace_keys/replace_jwks): whole
// key sets swapped atomically, the cache never serving a removed key, and
// verify() running while keys are swapped (run under TSan by scripts/test.sh).
#include "eudiplo_sse/jwt_key_set.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/detail/jws_signer.hpp"
#include "eudiplo_sse/jwt_signer.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "key_rotation_keys.hpp"

using eudiplo_sse::error;
using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtKeySet;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using rotation_test::jwks_of;
using rotation_test::make_key;
using rotation_test::token_of;

namespace {

JwtVerifierOptions options(std::size_t cache_size) {
  JwtVerifierOptions o;
  o.issuer = "issuer";
  o.audience = "audience";
  o.cache_size = cache_size;
  return o;
}

eudiplo_sse::TimePoint now() { return jwt_test::at(jwt_test::kNow); }

}  // namespace

TEST_CASE("replace_jwks swaps the whole key set", "[jwt][rotation]") {
  const auto a = make_key("a");
  const auto b = make_key("b");
  JwtVerifier verifier(options(0));
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&a})));
  CHECK(verifier.key_count() == 1);
  const auto gen1 = verifier.key_generation();
  const auto first = verifier.verify(token_of(a), now());
  REQUIRE_FALSE(first.error);
  CHECK(first.principal.key_ref != 0);
  CHECK(verifier.key_present(first.principal.key_ref));

  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&b})));
  CHECK(verifier.key_count() == 1);
  CHECK(verifier.key_generation() == gen1 + 1);
  CHECK(verifier.verify(token_of(a), now()).error == error::key_unknown);
  CHECK_FALSE(verifier.key_present(first.principal.key_ref));
  const auto second = verifier.verify(token_of(b), now());
  REQUIRE_FALSE(second.error);
  CHECK(second.principal.key_ref != first.principal.key_ref);
}

TEST_CASE("a reloaded set with the same keys changes nothing", "[jwt][rotation]") {
  const auto a = make_key("a");
  const auto b = make_key("b");
  JwtVerifier verifier(options(64));
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&a, &b})));
  const auto gen = verifier.key_generation();
  const auto token = token_of(a);
  const auto first = verifier.verify(token, now());
  REQUIRE_FALSE(first.error);

  // Parsed afresh, listed in another order: the same keys by fingerprint.
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&b, &a})));
  CHECK(verifier.key_generation() == gen);
  CHECK(verifier.key_present(first.principal.key_ref));
  const auto again = verifier.verify(token, now());
  REQUIRE_FALSE(again.error);
  CHECK(again.principal.key_ref == first.principal.key_ref);
  CHECK(verifier.cache_hits() == 1);
}

TEST_CASE("a cached token is not served once its key left the set", "[jwt][rotation]") {
  const auto a = make_key("a");
  const auto b = make_key("b");
  JwtVerifier verifier(options(64));
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&a, &b})));
  const auto token = token_of(a);
  REQUIRE_FALSE(verifier.verify(token, now()).error);
  REQUIRE_FALSE(verifier.verify(token, now()).error);
  REQUIRE(verifier.cache_hits() == 1);  // the second answer came from the cache

  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&b})));
  CHECK(verifier.verify(token, now()).error == error::key_unknown);
  CHECK(verifier.cache_hits() == 1);
  // Brought back, the key verifies the token again (a fresh verification).
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&a, &b})));
  CHECK_FALSE(verifier.verify(token, now()).error);
}

TEST_CASE("an invalid key set leaves the current one in place", "[jwt][rotation]") {
  const auto a = make_key("a");
  JwtVerifier verifier(options(0));
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&a})));
  const auto gen = verifier.key_generation();
  CHECK(verifier.replace_jwks("{\"keys\":[]}") == error::key_invalid);
  CHECK(verifier.replace_jwks("not json") == error::key_invalid);
  CHECK(verifier.replace_jwks(R"({"keys":[{"kty":"RSA","kid":"x","n":"AQAB","e":"AQAB"}]})") ==
        error::key_invalid);  // a 17-bit RSA key, refused as by add_jwks
  CHECK(verifier.key_generation() == gen);
  CHECK(verifier.key_count() == 1);
  CHECK_FALSE(verifier.verify(token_of(a), now()).error);
}

TEST_CASE("JwtKeySet builds a mixed set for replace_keys; add_* still add", "[jwt][rotation]") {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  const auto a = make_key("a");
  JwtKeySet set;
  REQUIRE_FALSE(set.add_hmac_secret(secret, JwtAlgorithm::HS256, "h"));
  REQUIRE_FALSE(
      set.add_pem_public_key(jwt_test::public_pem(a.key.get()), JwtAlgorithm::ES256, "a"));
  CHECK(set.add_hmac_secret("short") == error::key_invalid);
  CHECK(set.size() == 2);

  JwtVerifier verifier(options(0));
  REQUIRE_FALSE(verifier.add_hmac_secret(secret, JwtAlgorithm::HS256, "old"));
  verifier.replace_keys(std::move(set));
  CHECK(verifier.key_count() == 2);
  const std::string hs_token =
      eudiplo_sse::sign_hs_jws(R"({"alg":"HS256","kid":"h"})", jwt_test::Claims::standard().json(),
                               secret, JwtAlgorithm::HS256);
  CHECK_FALSE(verifier.verify(hs_token, now()).error);
  CHECK_FALSE(verifier.verify(token_of(a), now()).error);
  const std::string old_token =
      eudiplo_sse::sign_hs_jws(R"({"alg":"HS256","kid":"old"})",
                               jwt_test::Claims::standard().json(), secret, JwtAlgorithm::HS256);
  CHECK(verifier.verify(old_token, now()).error == error::key_unknown);

  const auto b = make_key("b");
  REQUIRE_FALSE(verifier.add_jwks(jwks_of({&b})));
  CHECK(verifier.key_count() == 3);
  CHECK_FALSE(verifier.verify(token_of(b), now()).error);
}

TEST_CASE("unknown kids are counted for key sources", "[jwt][rotation]") {
  const auto a = make_key("a");
  const auto stranger = make_key("z");
  JwtVerifier verifier(options(0));
  REQUIRE_FALSE(verifier.replace_jwks(jwks_of({&a})));
  CHECK(verifier.unknown_key_count() == 0);
  CHECK(verifier.verify(token_of(stranger), now()).error == error::key_unknown);
  CHECK(verifier.verify(token_of(a, "nope"), now()).error == error::key_unknown);
  CHECK(verifier.unknown_key_count() == 2);
  CHECK(verifier.verify(token_of(a, "a").substr(1), now()).error);  // malformed: not counted
  CHECK(verifier.unknown_key_count() == 2);
}

TEST_CASE("verify() runs while key sets are swapped", "[jwt][rotation][concurrency]") {
  const auto a = make_key("a");
  const auto b = make_key("b");
  const std::string with_b = jwks_of({&a, &b});
  const std::string without_b = jwks_of({&a});
  JwtVerifier verifier(options(256));
  REQUIRE_FALSE(verifier.replace_jwks(with_b));
  std::vector<std::string> a_tokens;
  std::vector<std::string> b_tokens;
  for (int i = 0; i < 4; ++i) {
    a_tokens.push_back(token_of(a, {}, "a" + std::to_string(i)));
    b_tokens.push_back(token_of(b, {}, "b" + std::to_string(i)));
  }

  std::atomic<bool> stop{false};
  std::atomic<int> a_failures{0};
  std::atomic<int> b_other_errors{0};
  std::atomic<int> b_accepted{0};
  std::atomic<int> b_refused{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      for (std::size_t i = 0; !stop.load(); ++i) {
        if (verifier.verify(a_tokens[(i + t) % 4], now()).error) ++a_failures;
        const auto r = verifier.verify(b_tokens[(i + t) % 4], now());
        if (!r.error) {
          ++b_accepted;
          (void)verifier.key_present(r.principal.key_ref);
        } else if (r.error == error::key_unknown) {
          ++b_refused;
        } else {
          ++b_other_errors;
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    REQUIRE_FALSE(verifier.replace_jwks(i % 2 == 0 ? without_b : with_b));
    (void)verifier.key_count();
    std::this_thread::yield();
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(a_failures.load() == 0);      // a key present in every set never fails
  CHECK(b_other_errors.load() == 0);  // b is either there or unknown, never half there
  CHECK(verifier.key_generation() == 201);
  // The last set holds b (i = 199 put it back).
  CHECK_FALSE(verifier.verify(b_tokens[0], now()).error);
  INFO("b accepted " << b_accepted.load() << ", refused " << b_refused.load());
  CHECK(b_accepted.load() + b_refused.load() > 0);
}
