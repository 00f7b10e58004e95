// JWT verification throughput (issue 3): verifications per second on one core for
// HS256, RS256-2048, ES256, EdDSA and a cache hit, next to OpenSSL's own raw verify
// of a precomputed digest (what `openssl speed` times) in the same process.
//
//   build/release/bench/eudiplo_sse_jwt_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <string>

#include "eudiplo_sse/jwt_signer.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "jwt_test_claims.hpp"
#include "jwt_test_keys.hpp"

using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;

namespace {

const std::string kSecret = "bench-secret-bench-secret-bench-secret!";

JwtVerifierOptions options(std::size_t cache_size) {
  JwtVerifierOptions o;
  o.issuer = "issuer";
  o.audience = "audience";
  o.cache_size = cache_size;
  return o;
}

// Claims the size of an EUDIPLO access token (~300 bytes of JSON).
std::string claims() {
  return jwt_test::Claims::standard().set("jti", "\"7f3c1a52-9d0e-4b8a-a1c6-2e5f90d4b7aa\"").json();
}

void run_verify(benchmark::State& state, const JwtVerifier& verifier, const std::string& token) {
  const auto now = jwt_test::at(jwt_test::kNow);
  if (verifier.verify(token, now).error) {
    state.SkipWithError("token does not verify");
    return;
  }
  for (auto _ : state) {
    auto result = verifier.verify(token, now);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["verify/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_verify_hs256(benchmark::State& state) {
  JwtVerifier verifier(options(0));
  verifier.add_hmac_secret(kSecret);
  run_verify(state, verifier, eudiplo_sse::sign_hs_jwt(claims(), kSecret));
}

void verify_asymmetric(benchmark::State& state, JwtAlgorithm alg, std::size_t cache_size) {
  EVP_PKEY* key = jwt_test::shared_key(alg);
  JwtVerifier verifier(options(cache_size));
  verifier.add_pem_public_key(jwt_test::public_pem(key), alg);
  run_verify(state, verifier, jwt_test::sign_jws(key, alg, jwt_test::header_for(alg), claims()));
}

void BM_verify_rs256(benchmark::State& state) { verify_asymmetric(state, JwtAlgorithm::RS256, 0); }
void BM_verify_ps256(benchmark::State& state) { verify_asymmetric(state, JwtAlgorithm::PS256, 0); }
void BM_verify_es256(benchmark::State& state) { verify_asymmetric(state, JwtAlgorithm::ES256, 0); }
void BM_verify_eddsa(benchmark::State& state) { verify_asymmetric(state, JwtAlgorithm::EdDSA, 0); }
// The same RS256 token again and again: every verification after the first is a hit.
void BM_verify_rs256_cache_hit(benchmark::State& state) {
  verify_asymmetric(state, JwtAlgorithm::RS256, 16384);
}

// OpenSSL alone: verify a precomputed digest on one reused context, as `openssl speed`.
void raw_openssl_verify(benchmark::State& state, JwtAlgorithm alg) {
  EVP_PKEY* key = jwt_test::shared_key(alg);
  const std::string message = "message";
  unsigned char digest[32];
  unsigned int digest_length = 0;
  EVP_Digest(message.data(), message.size(), digest, &digest_length, EVP_sha256(), nullptr);
  EVP_PKEY_CTX* sign = EVP_PKEY_CTX_new(key, nullptr);
  std::size_t sig_length = 0;
  EVP_PKEY_sign_init(sign);
  EVP_PKEY_CTX_set_signature_md(sign, EVP_sha256());
  EVP_PKEY_sign(sign, nullptr, &sig_length, digest, digest_length);
  std::string sig(sig_length, '\0');
  EVP_PKEY_sign(sign, reinterpret_cast<unsigned char*>(&sig[0]), &sig_length, digest,
                digest_length);
  EVP_PKEY_CTX_free(sign);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  EVP_PKEY_verify_init(ctx);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  for (auto _ : state) {
    const int rc = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(sig.data()),
                                   sig_length, digest, digest_length);
    if (rc != 1) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(rc);
  }
  EVP_PKEY_CTX_free(ctx);
  state.counters["verify/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_openssl_raw_rs256(benchmark::State& state) {
  raw_openssl_verify(state, JwtAlgorithm::RS256);
}
void BM_openssl_raw_es256(benchmark::State& state) {
  raw_openssl_verify(state, JwtAlgorithm::ES256);
}

}  // namespace

BENCHMARK(BM_verify_hs256);
BENCHMARK(BM_verify_rs256);
BENCHMARK(BM_verify_ps256);
BENCHMARK(BM_verify_es256);
BENCHMARK(BM_verify_eddsa);
BENCHMARK(BM_verify_rs256_cache_hit);
BENCHMARK(BM_verify_rs256_cache_hit)->Threads(2)->UseRealTime();
BENCHMARK(BM_openssl_raw_rs256);
BENCHMARK(BM_openssl_raw_es256);

BENCHMARK_MAIN();
