// The inside of JwtKeySet, shared with JwtVerifier (which keeps its active keys
// in the same shape). Keys are immutable and shared between successive sets, so
// a refresh that keeps a key costs no copy of it.
#pragma once

#include <memory>
#include <vector>

#include "eudiplo_sse/jwt_key_set.hpp"
#include "jwt_key.hpp"

namespace eudiplo_sse {

using SharedJwtKeys = std::vector<std::shared_ptr<const detail::JwtKey>>;

struct JwtKeySet::Impl {
  SharedJwtKeys keys;
};

namespace detail {

// Whether two key lists hold the same keys (by fingerprint, order ignored).
bool same_keys(const SharedJwtKeys& a, const SharedJwtKeys& b);

// Appends the keys of a JWKS document, all or nothing (see parse_jwks).
std::error_code append_jwks(std::string_view jwks_json, SharedJwtKeys& keys);

}  // namespace detail
}  // namespace eudiplo_sse
