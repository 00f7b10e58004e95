// Test-only: ES256 keys with kids, their JWKS documents, and tokens they sign,
// for the key-rotation tests (verifier, key sources, events route).
#pragma once

#include <string>
#include <vector>

#include "jwt_test_claims.hpp"
#include "jwt_test_keys.hpp"

namespace rotation_test {

struct NamedKey {
  std::string kid;
  jwt_test::PkeyPtr key;
};

inline NamedKey make_key(const std::string& kid) {
  return NamedKey{kid, jwt_test::generate_key(eudiplo_sse::JwtAlgorithm::ES256)};
}

inline std::string jwks_of(const std::vector<const NamedKey*>& keys) {
  std::string out = "{\"keys\":[";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i != 0) out += ",";
    out += jwt_test::public_jwk(keys[i]->key.get(), eudiplo_sse::JwtAlgorithm::ES256, keys[i]->kid);
  }
  return out + "]}";
}

// A token of jwt_test::Claims::standard() (tenant-a, valid around jwt_test::kNow)
// signed by `key`, naming `kid` (the key's own unless given).
inline std::string token_of(const NamedKey& key, const std::string& kid = {},
                            const std::string& subject = "user-1") {
  auto claims = jwt_test::Claims::standard();
  claims.set("sub", "\"" + subject + "\"");
  return jwt_test::sign_jws(
      key.key.get(), eudiplo_sse::JwtAlgorithm::ES256,
      jwt_test::header_for(eudiplo_sse::JwtAlgorithm::ES256, kid.empty() ? key.kid : kid),
      claims.json());
}

}  // namespace rotation_test
