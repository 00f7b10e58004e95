#include "jwt_signer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <chrono>
#include <cstdio>

namespace eudiplo_sse::bench {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

std::string bn_fixed(const BIGNUM* bn, int width) {
  std::string out(static_cast<std::size_t>(width), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), width);
  return out;
}

}  // namespace

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

struct JwtSigner::Impl {
  TokenClaims claims;
  std::string secret;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::string kid;
  std::string header_b64;
};

JwtSigner::JwtSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JwtSigner::~JwtSigner() = default;

std::unique_ptr<JwtSigner> JwtSigner::hs256(std::string secret, TokenClaims claims) {
  auto impl = std::make_unique<Impl>();
  impl->claims = std::move(claims);
  impl->secret = std::move(secret);
  impl->header_b64 = base64url(R"({"alg":"HS256","typ":"JWT"})");
  return std::unique_ptr<JwtSigner>(new JwtSigner(std::move(impl)));
}

std::unique_ptr<JwtSigner> JwtSigner::es256(const std::string& pem_path, std::string kid,
                                            TokenClaims claims, std::string& error) {
  std::FILE* f = std::fopen(pem_path.c_str(), "r");
  if (!f) {
    error = "cannot open EC key " + pem_path;
    return nullptr;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_bits(key.get()) != 256) {
    error = "not an EC P-256 private key: " + pem_path;
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->claims = std::move(claims);
  impl->key = std::move(key);
  impl->kid = std::move(kid);
  impl->header_b64 = base64url(R"({"alg":"ES256","typ":"JWT","kid":")" + impl->kid + "\"}");
  return std::unique_ptr<JwtSigner>(new JwtSigner(std::move(impl)));
}

std::string_view JwtSigner::algorithm() const { return impl_->key ? "ES256" : "HS256"; }

std::string JwtSigner::sign(std::uint64_t serial) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const TokenClaims& c = impl_->claims;
  std::string payload =
      R"({"iss":")" + c.issuer + R"(","sub":")" + c.subject + R"(","tenant_id":")" + c.tenant +
      R"(","roles":[],"iat":)" + std::to_string(now) + R"(,"exp":)" +
      std::to_string(now + c.lifetime_seconds) + R"(,"jti":"lg-)" + std::to_string(serial) + "\"}";
  std::string input = impl_->header_b64 + '.' + base64url(payload);
  std::string signature;
  if (!impl_->key) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), impl_->secret.data(), static_cast<int>(impl_->secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len);
    signature.assign(reinterpret_cast<const char*>(mac), mac_len);
  } else {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::size_t der_len = 0;
    if (!ctx ||
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &der_len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      return {};
    }
    std::string der(der_len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      return {};
    }
    // JWS wants the raw R||S pair (RFC 7518 3.4), not the DER structure OpenSSL produces.
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    if (!sig) return {};
    signature =
        bn_fixed(ECDSA_SIG_get0_r(sig.get()), 32) + bn_fixed(ECDSA_SIG_get0_s(sig.get()), 32);
  }
  return input + '.' + base64url(signature);
}

std::string JwtSigner::jwks() const {
  if (!impl_->key) return {};
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  EVP_PKEY_get_bn_param(impl_->key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
  EVP_PKEY_get_bn_param(impl_->key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
  std::unique_ptr<BIGNUM, BnFree> x(x_raw), y(y_raw);
  if (!x || !y) return {};
  return R"({"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":")" + impl_->kid +
         R"(","x":")" + base64url(bn_fixed(x.get(), 32)) + R"(","y":")" +
         base64url(bn_fixed(y.get(), 32)) + "\"}]}";
}

}  // namespace eudiplo_sse::bench
