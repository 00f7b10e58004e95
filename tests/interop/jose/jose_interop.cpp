// Verifies the tokens generate.mjs made with the npm `jose` package:
//   eudiplo_sse_jose_interop OUT_DIR/manifest.json
// Every case is checked against two verifiers, one configured from the JWKS (with the
// cache on) and one from the SPKI PEM files (cache off); both must answer the error
// the manifest expects. Prints one line per failure and "N passed, N failed".
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"

using eudiplo_sse::error;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;

namespace {

const std::map<std::string, std::error_code> kExpected = {
    {"ok", {}},
    {"token_malformed", make_error_code(error::token_malformed)},
    {"algorithm_unsupported", make_error_code(error::algorithm_unsupported)},
    {"algorithm_disallowed", make_error_code(error::algorithm_disallowed)},
    {"key_unknown", make_error_code(error::key_unknown)},
    {"signature_invalid", make_error_code(error::signature_invalid)},
    {"token_expired", make_error_code(error::token_expired)},
    {"token_not_yet_valid", make_error_code(error::token_not_yet_valid)},
    {"audience_mismatch", make_error_code(error::audience_mismatch)},
    {"tenant_missing", make_error_code(error::tenant_missing)},
};

std::string str(const rapidjson::Value& object, const char* name) {
  const auto m = object.FindMember(name);
  return m != object.MemberEnd() && m->value.IsString()
             ? std::string(m->value.GetString(), m->value.GetStringLength())
             : std::string();
}

int fail_setup(const char* what) {
  std::fprintf(stderr, "jose interop: %s\n", what);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return fail_setup("usage: eudiplo_sse_jose_interop MANIFEST.json");
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) return fail_setup("cannot read the manifest");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document manifest;
  manifest.Parse(text.str().c_str());
  if (manifest.HasParseError() || !manifest.IsObject() || !manifest["cases"].IsArray()) {
    return fail_setup("manifest is not the expected JSON");
  }

  JwtVerifierOptions options;
  options.issuer = str(manifest, "issuer");
  options.audience = str(manifest, "audience");
  JwtVerifier from_jwks(options);
  options.cache_size = 0;
  JwtVerifier from_pem(options);

  std::string jwks;
  {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    manifest["jwks"].Accept(writer);
    jwks.assign(buffer.GetString(), buffer.GetSize());
  }
  if (auto ec = from_jwks.add_jwks(jwks)) return fail_setup("the jose JWKS was refused");
  for (const auto& pem : manifest["pems"].GetArray()) {
    const auto alg = eudiplo_sse::jwt_algorithm_from_string(str(pem, "alg"));
    if (!alg || from_pem.add_pem_public_key(str(pem, "pem"), *alg, str(pem, "kid"))) {
      return fail_setup(("a jose SPKI PEM was refused: " + str(pem, "kid")).c_str());
    }
  }
  for (const auto& secret : manifest["secrets"].GetArray()) {
    std::string key;
    const auto alg = eudiplo_sse::jwt_algorithm_from_string(str(secret, "alg"));
    if (!alg || !eudiplo_sse::detail::base64url_decode(str(secret, "k"), key) ||
        from_jwks.add_hmac_secret(key, *alg, str(secret, "kid")) ||
        from_pem.add_hmac_secret(key, *alg, str(secret, "kid"))) {
      return fail_setup(("a jose HMAC secret was refused: " + str(secret, "kid")).c_str());
    }
  }

  const eudiplo_sse::TimePoint now{std::chrono::seconds(manifest["now"].GetInt64())};
  int passed = 0;
  int failed = 0;
  int verified_ok = 0;
  for (const auto& c : manifest["cases"].GetArray()) {
    const auto expected = kExpected.find(str(c, "expect"));
    if (expected == kExpected.end()) return fail_setup("unknown expectation in the manifest");
    for (const JwtVerifier* verifier : {&from_jwks, &from_pem}) {
      // Twice: the second answer may come from the cache and must be the same.
      for (int round = 0; round < 2; ++round) {
        const auto result = verifier->verify(str(c, "token"), now);
        const bool tenant_ok = result.error || result.principal.tenant == str(c, "tenant");
        if (result.error == expected->second && tenant_ok) {
          ++passed;
          if (!result.error) ++verified_ok;
        } else {
          ++failed;
          std::printf("FAIL %s (%s) via %s: expected %s, got %s\n", str(c, "alg").c_str(),
                      str(c, "what").c_str(), verifier == &from_jwks ? "JWKS" : "PEM",
                      str(c, "expect").c_str(),
                      result.error ? result.error.message().c_str() : "ok");
        }
      }
    }
  }
  // 13 algorithms, two good tokens each, two verifiers, two rounds: a manifest that
  // lost its cases must not pass quietly.
  if (verified_ok < 13 * 2 * 2 * 2) {
    std::printf("FAIL only %d successful verifications, expected at least %d\n", verified_ok,
                13 * 2 * 2 * 2);
    ++failed;
  }
  std::printf("jose interop: %d algorithms' tokens, cache hits %llu\n", 13,
              static_cast<unsigned long long>(from_jwks.cache_hits()));
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
