// One verification key bound to one JWS algorithm, on OpenSSL 3 EVP.
//
// Internal: OpenSSL types stay out of the public headers. A JwtKey does not change
// after construction and verify() may be called from many threads at once: each
// call works on contexts of its own, duplicated from a template prepared once (or,
// for HMAC, taken from a small pool of such duplicates under a mutex).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/jwt_algorithm.hpp"

namespace eudiplo_sse::detail {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// Digest size of the hash of an algorithm (SHA-256/384/512; 64 for EdDSA's SHA-512).
std::size_t jwt_hash_size(JwtAlgorithm alg) noexcept;

class JwtKey {
 public:
  // HMAC: the secret must be at least as long as the hash output (RFC 7518 3.2:
  // 32 bytes for HS256, 48 for HS384, 64 for HS512), else error::key_invalid.
  static std::unique_ptr<JwtKey> from_hmac_secret(std::string_view secret, JwtAlgorithm alg,
                                                  std::string kid, std::error_code& ec);
  // A public key whose type agrees with `alg`: RSA of at least 2048 bits for RS*/PS*,
  // EC on P-256/P-384/P-521 for ES256/384/512, Ed25519 for EdDSA. Else key_invalid.
  static std::unique_ptr<JwtKey> from_public_key(EvpPkeyPtr pkey, JwtAlgorithm alg, std::string kid,
                                                 std::error_code& ec);
  // A PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), checked as above.
  static std::unique_ptr<JwtKey> from_pem(std::string_view pem, JwtAlgorithm alg, std::string kid,
                                          std::error_code& ec);

  ~JwtKey();
  JwtKey(const JwtKey&) = delete;
  JwtKey& operator=(const JwtKey&) = delete;

  JwtAlgorithm algorithm() const noexcept { return alg_; }
  const std::string& kid() const noexcept { return kid_; }
  // Identity of the key material, algorithm and kid (64 bits of a SHA-256, never 0):
  // equal for the same key loaded twice, so a refreshed key set that still holds a
  // key keeps the tokens and streams it verified.
  std::uint64_t fingerprint() const noexcept { return fingerprint_; }

  // Whether `signature` (JWS bytes: a MAC, an RSA signature, raw R||S for ECDSA, or an
  // Ed25519 signature) signs `signing_input` under this key with its algorithm.
  bool verify(std::string_view signing_input, std::string_view signature) const;

 private:
  JwtKey(JwtAlgorithm alg, std::string kid);
  bool verify_hmac(std::string_view input, std::string_view signature) const;
  bool verify_digest_signature(std::string_view input, std::string_view signature) const;
  bool verify_eddsa(std::string_view input, std::string_view signature) const;

  // Sets fingerprint_ from `material` (the secret, or the DER public key).
  bool set_fingerprint(std::string_view material);

  JwtAlgorithm alg_;
  std::string kid_;
  std::uint64_t fingerprint_ = 0;
  EVP_MAC* mac_ = nullptr;               // HMAC
  EVP_MAC_CTX* mac_template_ = nullptr;  // keyed once; the pool's contexts are copies
  // Keyed HMAC contexts not in use, reset and reused: duplicating the template costs
  // OpenSSL 3.0 about ten allocations, a reset none. At most 16 are kept.
  mutable std::mutex mac_pool_mutex_;
  mutable std::vector<EVP_MAC_CTX*> mac_pool_;
  EVP_MD* md_ = nullptr;                     // RS/PS/ES: the hash, fetched once
  EvpPkeyPtr pkey_;                          // RS/PS/ES/EdDSA
  EVP_PKEY_CTX* verify_template_ = nullptr;  // RS/PS/ES: verify_init + padding done once
  std::size_t ec_coordinate_size_ = 0;       // ES: bytes of R and of S
};

}  // namespace eudiplo_sse::detail
