// Test-only signing for every JWS algorithm: key generation, signatures in JWS form
// (R||S for ECDSA), PEM and JWK export. Shared by the JWT unit tests and bench/.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/jwt_algorithm.hpp"

namespace jwt_test {

using eudiplo_sse::JwtAlgorithm;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline const char* hash_of(JwtAlgorithm alg) {
  switch (alg) {
    case JwtAlgorithm::RS256:
    case JwtAlgorithm::PS256:
    case JwtAlgorithm::ES256: return "SHA256";
    case JwtAlgorithm::RS384:
    case JwtAlgorithm::PS384:
    case JwtAlgorithm::ES384: return "SHA384";
    case JwtAlgorithm::RS512:
    case JwtAlgorithm::PS512:
    case JwtAlgorithm::ES512: return "SHA512";
    default: return nullptr;  // EdDSA: no separate hash
  }
}

inline bool is_ecdsa(JwtAlgorithm alg) {
  return alg == JwtAlgorithm::ES256 || alg == JwtAlgorithm::ES384 || alg == JwtAlgorithm::ES512;
}
inline bool is_pss(JwtAlgorithm alg) {
  return alg == JwtAlgorithm::PS256 || alg == JwtAlgorithm::PS384 || alg == JwtAlgorithm::PS512;
}
inline std::size_t coordinate_size(JwtAlgorithm alg) {
  return alg == JwtAlgorithm::ES256 ? 32 : alg == JwtAlgorithm::ES384 ? 48 : 66;
}

inline PkeyPtr generate_key(JwtAlgorithm alg, int rsa_bits = 2048) {
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case JwtAlgorithm::ES256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case JwtAlgorithm::ES384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case JwtAlgorithm::ES512: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
    case JwtAlgorithm::EdDSA: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    default:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
      break;
  }
  if (key == nullptr) throw std::runtime_error("key generation failed");
  return PkeyPtr(key);
}

// One key per algorithm for the whole test run (RSA generation is slow).
inline EVP_PKEY* shared_key(JwtAlgorithm alg) {
  static std::map<JwtAlgorithm, PkeyPtr> keys;
  auto& key = keys[alg];
  if (!key) key = generate_key(alg);
  return key.get();
}

// The JWS signature bytes of `input`; for ECDSA the DER form when `der` is set.
inline std::string sign_bytes(EVP_PKEY* key, JwtAlgorithm alg, std::string_view input,
                              bool der = false) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  std::string out;
  std::size_t length = 0;
  bool ok = EVP_DigestSignInit_ex(ctx, &pctx, hash_of(alg), nullptr, nullptr, key, nullptr) == 1;
  if (ok && is_pss(alg)) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  ok = ok && EVP_DigestSign(ctx, nullptr, &length, data, input.size()) == 1;
  out.resize(length);
  ok = ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(&out[0]), &length, data,
                            input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("signing failed");
  out.resize(length);
  if (!is_ecdsa(alg) || der) return out;
  const auto* p = reinterpret_cast<const unsigned char*>(out.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(out.size()));
  const std::size_t n = coordinate_size(alg);
  std::string raw(2 * n, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(&raw[0]),
               static_cast<int>(n));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(&raw[n]),
               static_cast<int>(n));
  ECDSA_SIG_free(sig);
  return raw;
}

inline std::string b64(std::string_view bytes) {
  return eudiplo_sse::detail::base64url_encode(bytes);
}

inline std::string header_for(JwtAlgorithm alg, std::string_view kid = {}) {
  std::string header = "{\"alg\":\"" + std::string(eudiplo_sse::to_string(alg)) + "\"";
  if (!kid.empty()) header += ",\"kid\":\"" + std::string(kid) + "\"";
  return header + ",\"typ\":\"JWT\"}";
}

// header.payload.signature with the header and payload JSON taken as written.
inline std::string sign_jws(EVP_PKEY* key, JwtAlgorithm alg, std::string_view header_json,
                            std::string_view payload_json, bool der = false) {
  const std::string input = b64(header_json) + "." + b64(payload_json);
  return input + "." + b64(sign_bytes(key, alg, input, der));
}

// An HMAC over exactly `input` (for tokens whose segments are not canonical base64url).
inline std::string hmac_bytes(std::string_view secret, std::string_view input,
                              const char* digest = "SHA256") {
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr,
                reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac,
                &length) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

inline std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

inline std::string bn_param(EVP_PKEY* key, const char* name, std::size_t pad = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  const std::size_t size = pad != 0 ? pad : static_cast<std::size_t>(BN_num_bytes(bn));
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(&out[0]), static_cast<int>(size));
  BN_free(bn);
  return b64(out);
}

// The public JWK of `key`; `alg` is written unless empty.
inline std::string public_jwk(EVP_PKEY* key, JwtAlgorithm alg, std::string_view kid,
                              bool write_alg = true) {
  std::string jwk = "{";
  if (!kid.empty()) jwk += "\"kid\":\"" + std::string(kid) + "\",";
  if (write_alg) jwk += "\"alg\":\"" + std::string(eudiplo_sse::to_string(alg)) + "\",";
  if (is_ecdsa(alg)) {
    const char* crv = alg == JwtAlgorithm::ES256   ? "P-256"
                      : alg == JwtAlgorithm::ES384 ? "P-384"
                                                   : "P-521";
    const std::size_t n = coordinate_size(alg);
    jwk += "\"kty\":\"EC\",\"crv\":\"" + std::string(crv) + "\",\"x\":\"" +
           bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, n) + "\",\"y\":\"" +
           bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, n) + "\"";
  } else if (alg == JwtAlgorithm::EdDSA) {
    unsigned char raw[32];
    std::size_t length = sizeof raw;
    EVP_PKEY_get_raw_public_key(key, raw, &length);
    jwk += "\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" +
           b64(std::string_view(reinterpret_cast<const char*>(raw), length)) + "\"";
  } else {
    jwk += "\"kty\":\"RSA\",\"n\":\"" + bn_param(key, OSSL_PKEY_PARAM_RSA_N) + "\",\"e\":\"" +
           bn_param(key, OSSL_PKEY_PARAM_RSA_E) + "\"";
  }
  return jwk + "}";
}

}  // namespace jwt_test
