#include "openssl_api.hpp"
// (first: hides deprecated OpenSSL APIs)
#include "jwt_key.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <climits>

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse::detail {
namespace {

const char* hash_name(JwtAlgorithm alg) noexcept {
  switch (alg) {
    case JwtAlgorithm::HS256:
    case JwtAlgorithm::RS256:
    case JwtAlgorithm::PS256:
    case JwtAlgorithm::ES256: return "SHA256";
    case JwtAlgorithm::HS384:
    case JwtAlgorithm::RS384:
    case JwtAlgorithm::PS384:
    case JwtAlgorithm::ES384: return "SHA384";
    case JwtAlgorithm::HS512:
    case JwtAlgorithm::RS512:
    case JwtAlgorithm::PS512:
    case JwtAlgorithm::ES512:
    case JwtAlgorithm::EdDSA: return "SHA512";
  }
  return "SHA256";
}

bool is_pss(JwtAlgorithm alg) noexcept {
  return alg == JwtAlgorithm::PS256 || alg == JwtAlgorithm::PS384 || alg == JwtAlgorithm::PS512;
}

bool is_rsa(JwtAlgorithm alg) noexcept {
  return alg == JwtAlgorithm::RS256 || alg == JwtAlgorithm::RS384 || alg == JwtAlgorithm::RS512 ||
         is_pss(alg);
}

bool is_ecdsa(JwtAlgorithm alg) noexcept {
  return alg == JwtAlgorithm::ES256 || alg == JwtAlgorithm::ES384 || alg == JwtAlgorithm::ES512;
}

int ec_curve_nid(JwtAlgorithm alg) noexcept {
  switch (alg) {
    case JwtAlgorithm::ES256: return NID_X9_62_prime256v1;
    case JwtAlgorithm::ES384: return NID_secp384r1;
    case JwtAlgorithm::ES512: return NID_secp521r1;
    default: return NID_undef;
  }
}

std::size_t ec_coordinate_size(JwtAlgorithm alg) noexcept {
  switch (alg) {
    case JwtAlgorithm::ES256: return 32;
    case JwtAlgorithm::ES384: return 48;
    case JwtAlgorithm::ES512: return 66;  // P-521: 521 bits round up to 66 bytes
    default: return 0;
  }
}

// Idle HMAC contexts kept per key: enough for every thread of a typical host at once.
constexpr std::size_t kMacPoolSize = 16;

// The minimum RSA modulus of RFC 7518 3.3 and 3.5.
constexpr int kMinRsaBits = 2048;

std::unique_ptr<JwtKey> fail(std::error_code& ec) {
  ERR_clear_error();  // leave no OpenSSL errors behind for the host's own TLS code to misread
  ec = make_error_code(error::key_invalid);
  return nullptr;
}

// JWS carries ECDSA signatures as R||S, each left-padded to the curve size (RFC 7518
// 3.4); OpenSSL verifies the DER SEQUENCE of two INTEGERs. Returns the DER length or 0.
int raw_ecdsa_to_der(std::string_view raw, std::size_t coordinate, unsigned char* der) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (sig == nullptr) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(coordinate), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + coordinate, static_cast<int>(coordinate), nullptr);
  int length = 0;
  if (r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    length = i2d_ECDSA_SIG(sig, &der);
  } else {
    BN_free(r);
    BN_free(s);
  }
  ECDSA_SIG_free(sig);
  return length > 0 ? length : 0;
}

}  // namespace

std::size_t jwt_hash_size(JwtAlgorithm alg) noexcept {
  const std::string_view name = hash_name(alg);
  return name == "SHA256" ? 32 : name == "SHA384" ? 48 : 64;
}

JwtKey::JwtKey(JwtAlgorithm alg, std::string kid) : alg_(alg), kid_(std::move(kid)) {}

bool JwtKey::set_fingerprint(std::string_view material) {
  std::string input(to_string(alg_));
  input.push_back('\0');
  input.append(kid_);
  input.push_back('\0');
  input.append(material);
  unsigned char digest[32];
  if (EVP_Digest(input.data(), input.size(), digest, nullptr, EVP_sha256(), nullptr) != 1) {
    return false;
  }
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | digest[i];
  fingerprint_ = v == 0 ? 1 : v;  // 0 means "no key" to callers
  return true;
}

JwtKey::~JwtKey() {
  for (EVP_MAC_CTX* ctx : mac_pool_) EVP_MAC_CTX_free(ctx);
  EVP_PKEY_CTX_free(verify_template_);
  EVP_MD_free(md_);
  EVP_MAC_CTX_free(mac_template_);
  EVP_MAC_free(mac_);
}

std::unique_ptr<JwtKey> JwtKey::from_hmac_secret(std::string_view secret, JwtAlgorithm alg,
                                                 std::string kid, std::error_code& ec) {
  if (!is_hmac(alg) || secret.size() < jwt_hash_size(alg)) return fail(ec);
  std::unique_ptr<JwtKey> key(new JwtKey(alg, std::move(kid)));
  if (!key->set_fingerprint(secret)) return fail(ec);
  key->mac_ = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (key->mac_ == nullptr) return fail(ec);
  key->mac_template_ = EVP_MAC_CTX_new(key->mac_);
  if (key->mac_template_ == nullptr) return fail(ec);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(hash_name(alg)), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(key->mac_template_, reinterpret_cast<const unsigned char*>(secret.data()),
                   secret.size(), params) != 1) {
    return fail(ec);
  }
  ec.clear();
  return key;
}

std::unique_ptr<JwtKey> JwtKey::from_public_key(EvpPkeyPtr pkey, JwtAlgorithm alg, std::string kid,
                                                std::error_code& ec) {
  if (pkey == nullptr || is_hmac(alg)) return fail(ec);
  if (is_rsa(alg)) {
    if (!EVP_PKEY_is_a(pkey.get(), "RSA") || EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
      return fail(ec);
    }
  } else if (is_ecdsa(alg)) {
    char group[64] = {};
    std::size_t length = 0;
    if (!EVP_PKEY_is_a(pkey.get(), "EC") ||
        EVP_PKEY_get_group_name(pkey.get(), group, sizeof group, &length) != 1 ||
        OBJ_sn2nid(group) != ec_curve_nid(alg)) {
      return fail(ec);
    }
  } else if (!EVP_PKEY_is_a(pkey.get(), "ED25519")) {
    return fail(ec);
  }

  std::unique_ptr<JwtKey> key(new JwtKey(alg, std::move(kid)));
  {
    unsigned char* der = nullptr;
    const int der_size = i2d_PUBKEY(pkey.get(), &der);
    const bool ok = der_size > 0 && key->set_fingerprint(std::string_view(
                                        reinterpret_cast<const char*>(der), der_size));
    OPENSSL_free(der);
    if (!ok) return fail(ec);
  }
  key->pkey_ = std::move(pkey);
  if (alg == JwtAlgorithm::EdDSA) {
    ec.clear();
    return key;
  }
  // RS/PS/ES hash the input themselves and verify the digest, like `openssl speed`
  // does, on a duplicate of a context whose padding and hash are set once here.
  key->ec_coordinate_size_ = ec_coordinate_size(alg);
  key->md_ = EVP_MD_fetch(nullptr, hash_name(alg), nullptr);
  key->verify_template_ = EVP_PKEY_CTX_new_from_pkey(nullptr, key->pkey_.get(), nullptr);
  if (key->md_ == nullptr || key->verify_template_ == nullptr ||
      EVP_PKEY_verify_init(key->verify_template_) != 1 ||
      EVP_PKEY_CTX_set_signature_md(key->verify_template_, key->md_) != 1) {
    return fail(ec);
  }
  if (is_rsa(alg)) {
    const int padding = is_pss(alg) ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
    if (EVP_PKEY_CTX_set_rsa_padding(key->verify_template_, padding) != 1) return fail(ec);
    // RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash output.
    if (is_pss(alg) &&
        (EVP_PKEY_CTX_set_rsa_mgf1_md(key->verify_template_, key->md_) != 1 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(key->verify_template_, RSA_PSS_SALTLEN_DIGEST) != 1)) {
      return fail(ec);
    }
  }
  ec.clear();
  return key;
}

std::unique_ptr<JwtKey> JwtKey::from_pem(std::string_view pem, JwtAlgorithm alg, std::string kid,
                                         std::error_code& ec) {
  if (pem.empty() || pem.size() > INT_MAX) return fail(ec);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return fail(ec);
  EvpPkeyPtr pkey(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (pkey == nullptr) return fail(ec);
  return from_public_key(std::move(pkey), alg, std::move(kid), ec);
}

bool JwtKey::verify(std::string_view signing_input, std::string_view signature) const {
  bool ok = false;
  if (mac_template_ != nullptr) {
    ok = verify_hmac(signing_input, signature);
  } else if (alg_ == JwtAlgorithm::EdDSA) {
    ok = verify_eddsa(signing_input, signature);
  } else {
    ok = verify_digest_signature(signing_input, signature);
  }
  if (!ok) ERR_clear_error();
  return ok;
}

bool JwtKey::verify_hmac(std::string_view input, std::string_view signature) const {
  EVP_MAC_CTX* ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(mac_pool_mutex_);
    if (!mac_pool_.empty()) {
      ctx = mac_pool_.back();
      mac_pool_.pop_back();
    }
  }
  // A pooled context restarts from the stored key pads (EVP_MAC_init without a key).
  const bool ready = ctx != nullptr ? EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1
                                    : (ctx = EVP_MAC_CTX_dup(mac_template_)) != nullptr;
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  const bool computed = ready &&
                        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()),
                                       input.size()) == 1 &&
                        EVP_MAC_final(ctx, mac, &length, sizeof mac) == 1;
  if (computed) {
    std::lock_guard<std::mutex> lock(mac_pool_mutex_);
    if (mac_pool_.size() < kMacPoolSize) {
      mac_pool_.push_back(ctx);
      ctx = nullptr;
    }
  }
  EVP_MAC_CTX_free(ctx);  // a context in an unknown state is never pooled
  // The length is public (it is the algorithm's); the bytes are compared in constant time.
  return computed && signature.size() == length &&
         CRYPTO_memcmp(mac, signature.data(), length) == 0;
}

bool JwtKey::verify_digest_signature(std::string_view input, std::string_view signature) const {
  const unsigned char* sig = reinterpret_cast<const unsigned char*>(signature.data());
  std::size_t sig_length = signature.size();
  unsigned char der[2 * 66 + 16];
  if (ec_coordinate_size_ != 0) {
    // A DER signature, or R||S of the wrong curve, has the wrong length: refused here.
    if (signature.size() != 2 * ec_coordinate_size_) return false;
    const int der_length = raw_ecdsa_to_der(signature, ec_coordinate_size_, der);
    if (der_length == 0) return false;
    sig = der;
    sig_length = static_cast<std::size_t>(der_length);
  } else if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey_.get()))) {
    return false;  // RFC 7518 3.3: exactly the modulus length
  }

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_length, md_, nullptr) != 1) {
    return false;
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_dup(verify_template_);
  if (ctx == nullptr) return false;
  const int rc = EVP_PKEY_verify(ctx, sig, sig_length, digest, digest_length);
  EVP_PKEY_CTX_free(ctx);
  return rc == 1;
}

bool JwtKey::verify_eddsa(std::string_view input, std::string_view signature) const {
  if (signature.size() != 64) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  const bool ok =
      EVP_DigestVerifyInit_ex(ctx, nullptr, nullptr, nullptr, nullptr, pkey_.get(), nullptr) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace eudiplo_sse::detail
