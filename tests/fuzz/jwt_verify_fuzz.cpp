// Fuzz target: JwtVerifier::verify with a key of every family (HS256, RS256,
// PS256, ES256, EdDSA), so that each signature path and the claims checks behind
// a valid signature are reached.
//
// Input: a mode byte, then
//   mode 0: the bytes are a token, verified as is;
//   mode 1: an algorithm byte, then claims JSON, signed with that family's key;
//   mode 2: an algorithm byte, then header JSON, signed over standard claims.
// Invariants: no crash or leak; a success names a non-empty tenant, an expiry
// after "now", and a non-empty bound session when bound; a second verify of the
// same token (answered from the cache) gives the same answer.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "eudiplo_sse/detail/jwt_parse.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "fuzz_input.hpp"
#include "jwt_test_keys.hpp"

namespace {

using eudiplo_sse::JwtAlgorithm;
using eudiplo_sse::JwtVerifier;

constexpr std::int64_t kNow = 1'700'000'000;
const eudiplo_sse::TimePoint kNowPoint{std::chrono::seconds(kNow)};
const std::string kSecret(32, 's');

constexpr JwtAlgorithm kFamilies[] = {JwtAlgorithm::HS256, JwtAlgorithm::RS256, JwtAlgorithm::PS256,
                                      JwtAlgorithm::ES256, JwtAlgorithm::EdDSA};

const JwtVerifier& verifier() {
  static const JwtVerifier instance = [] {
    JwtVerifier v;
    FUZZ_CHECK(!v.add_hmac_secret(kSecret, JwtAlgorithm::HS256, "hs"));
    for (JwtAlgorithm alg : kFamilies) {
      if (alg == JwtAlgorithm::HS256) continue;
      const std::string pem = jwt_test::public_pem(jwt_test::shared_key(alg));
      FUZZ_CHECK(!v.add_pem_public_key(pem, alg, std::string(eudiplo_sse::to_string(alg))));
    }
    return v;
  }();
  return instance;
}

std::string sign(JwtAlgorithm alg, std::string_view header, std::string_view claims) {
  if (alg == JwtAlgorithm::HS256) {
    const std::string input = jwt_test::b64(header) + "." + jwt_test::b64(claims);
    return input + "." + jwt_test::b64(jwt_test::hmac_bytes(kSecret, input));
  }
  return jwt_test::sign_jws(jwt_test::shared_key(alg), alg, header, claims);
}

std::string standard_claims() {
  return "{\"tenant_id\":\"t\",\"sid\":\"s-1\",\"exp\":" + std::to_string(kNow + 60) + "}";
}

void check(std::string_view token) {
  const auto first = verifier().verify(token, kNowPoint);
  if (!first.error) {
    FUZZ_CHECK(!first.principal.tenant.empty());
    FUZZ_CHECK(first.principal.expires_at > kNowPoint);
  }
  const auto second = verifier().verify(token, kNowPoint);
  FUZZ_CHECK(second.error == first.error);
  FUZZ_CHECK(second.principal.tenant == first.principal.tenant);
  FUZZ_CHECK(second.principal.session_id == first.principal.session_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eudiplo_sse::fuzz::FuzzInput input(data, size);
  const int mode = input.byte() % 3;
  if (mode == 0) {
    check(input.rest());
    return 0;
  }
  const JwtAlgorithm alg = kFamilies[input.byte() % std::size(kFamilies)];
  const std::string kid = alg == JwtAlgorithm::HS256 ? "hs" : std::string(to_string(alg));
  if (input.rest().size() > eudiplo_sse::detail::kMaxTokenSize) return 0;
  if (mode == 1) {
    check(sign(alg, jwt_test::header_for(alg, kid), input.rest()));
  } else {
    check(sign(alg, input.rest(), standard_claims()));
  }
  return 0;
}
