#include "openssl_api.hpp"
// (first: hides deprecated OpenSSL APIs)
#include "jwt_jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <optional>
#include <string>

#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/error.hpp"
#include "jwt_json.hpp"

namespace eudiplo_sse::detail {
namespace {

struct BnFree {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};

struct Curve {
  std::string_view crv;
  JwtAlgorithm alg;
  const char* group;       // OpenSSL's name
  std::size_t coordinate;  // bytes of x and of y
};
constexpr Curve kCurves[] = {
    {"P-256", JwtAlgorithm::ES256, "prime256v1", 32},
    {"P-384", JwtAlgorithm::ES384, "secp384r1", 48},
    {"P-521", JwtAlgorithm::ES512, "secp521r1", 66},
};

// The outcome for one JWK: a key, a key to skip, or an error for the whole set.
enum class JwkOutcome { key, skip, invalid };

// A required base64url member, strictly decoded and non-empty.
bool member_bytes(const rapidjson::Value& jwk, const char* name, std::string& out) {
  const auto m = jwk.FindMember(name);
  return m != jwk.MemberEnd() && m->value.IsString() && base64url_decode(as_view(m->value), out) &&
         !out.empty();
}

// Built from parameters, then checked the way a received key must be (the point is on
// the curve, the RSA exponent is odd and greater than one, ...).
EvpPkeyPtr pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  EvpPkeyPtr pkey(raw);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return pkey;
}

EvpPkeyPtr rsa_key(const rapidjson::Value& jwk) {
  std::string n, e;
  if (!member_bytes(jwk, "n", n) || !member_bytes(jwk, "e", e)) return nullptr;
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                                                 static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                                                 static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bn_n == nullptr || bn_e == nullptr || bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  return pkey_from_params("RSA", bld.get());
}

EvpPkeyPtr ec_key(const rapidjson::Value& jwk, const char* group, std::size_t coordinate) {
  std::string x, y;
  // RFC 7518 6.2.1.2: x and y are the full coordinate size, leading zeros kept.
  if (!member_bytes(jwk, "x", x) || !member_bytes(jwk, "y", y) || x.size() != coordinate ||
      y.size() != coordinate) {
    return nullptr;
  }
  const std::string point = std::string(1, '\x04') + x + y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return pkey_from_params("EC", bld.get());
}

EvpPkeyPtr ed25519_key(const rapidjson::Value& jwk) {
  std::string x;
  if (!member_bytes(jwk, "x", x) || x.size() != 32) return nullptr;
  return EvpPkeyPtr(EVP_PKEY_new_raw_public_key_ex(
      nullptr, "ED25519", nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size()));
}

std::optional<std::string_view> optional_string(const rapidjson::Value& jwk, const char* name,
                                                bool& bad) {
  const auto m = jwk.FindMember(name);
  if (m == jwk.MemberEnd()) return std::nullopt;
  if (!m->value.IsString()) {
    bad = true;
    return std::nullopt;
  }
  return as_view(m->value);
}

JwkOutcome read_jwk(const rapidjson::Value& jwk, std::unique_ptr<JwtKey>& key) {
  if (!jwk.IsObject()) return JwkOutcome::invalid;
  bool bad = false;
  const auto kty = optional_string(jwk, "kty", bad);
  const auto use = optional_string(jwk, "use", bad);
  const auto alg_name = optional_string(jwk, "alg", bad);
  const auto kid = optional_string(jwk, "kid", bad);
  const auto crv = optional_string(jwk, "crv", bad);
  if (bad || !kty) return JwkOutcome::invalid;
  if (use && *use != "sig") return JwkOutcome::skip;

  std::optional<JwtAlgorithm> alg;
  if (alg_name) {
    alg = jwt_algorithm_from_string(*alg_name);
    if (!alg) return JwkOutcome::skip;  // an encryption algorithm, or one we do not verify
  }

  EvpPkeyPtr pkey;
  if (*kty == "RSA") {
    if (!alg) alg = JwtAlgorithm::RS256;
    pkey = rsa_key(jwk);
  } else if (*kty == "EC") {
    if (!crv) return JwkOutcome::invalid;
    const Curve* curve = nullptr;
    for (const auto& known : kCurves) {
      if (known.crv == *crv) curve = &known;
    }
    if (curve == nullptr) return JwkOutcome::skip;  // secp256k1 and others we do not verify
    if (alg && *alg != curve->alg) return JwkOutcome::invalid;
    alg = curve->alg;
    pkey = ec_key(jwk, curve->group, curve->coordinate);
  } else if (*kty == "OKP") {
    if (!crv) return JwkOutcome::invalid;
    if (*crv != "Ed25519") return JwkOutcome::skip;  // X25519 (key agreement), Ed448
    if (alg && *alg != JwtAlgorithm::EdDSA) return JwkOutcome::invalid;
    alg = JwtAlgorithm::EdDSA;
    pkey = ed25519_key(jwk);
  } else {
    return JwkOutcome::skip;  // "oct" and unknown types
  }
  if (pkey == nullptr) return JwkOutcome::invalid;
  std::error_code ec;
  key = JwtKey::from_public_key(std::move(pkey), *alg, std::string(kid.value_or("")), ec);
  return ec ? JwkOutcome::invalid : JwkOutcome::key;
}

}  // namespace

std::error_code parse_jwks(std::string_view json, std::vector<std::unique_ptr<JwtKey>>& keys) {
  const auto invalid = [] {
    ERR_clear_error();
    return make_error_code(error::key_invalid);
  };
  JsonObject parsed;
  if (!parsed.parse(json)) return invalid();
  const rapidjson::Value& doc = parsed.root();
  const auto set = doc.FindMember("keys");
  if (set == doc.MemberEnd() || !set->value.IsArray()) return invalid();
  std::vector<std::unique_ptr<JwtKey>> found;
  for (const auto& jwk : set->value.GetArray()) {
    std::unique_ptr<JwtKey> key;
    switch (read_jwk(jwk, key)) {
      case JwkOutcome::key: found.push_back(std::move(key)); break;
      case JwkOutcome::skip: break;
      case JwkOutcome::invalid: return invalid();
    }
  }
  if (found.empty()) return invalid();
  for (auto& key : found) keys.push_back(std::move(key));
  return {};
}

}  // namespace eudiplo_sse::detail
