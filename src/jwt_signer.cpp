#include "openssl_api.hpp"
// (first: hides deprecated OpenSSL APIs)
#include "eudiplo_sse/detail/jws_signer.hpp"
#include "eudiplo_sse/jwt_signer.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "eudiplo_sse/detail/base64url.hpp"

namespace eudiplo_sse {
namespace {

const char* hmac_digest(JwtAlgorithm alg) noexcept {
  switch (alg) {
    case JwtAlgorithm::HS256: return "SHA256";
    case JwtAlgorithm::HS384: return "SHA384";
    case JwtAlgorithm::HS512: return "SHA512";
    default: return nullptr;
  }
}

}  // namespace

std::string sign_hs_jws(std::string_view header_json, std::string_view payload_json,
                        std::string_view secret, JwtAlgorithm alg) {
  const char* digest = hmac_digest(alg);
  if (digest == nullptr) return {};
  std::string token = detail::base64url_encode(header_json);
  token += '.';
  token += detail::base64url_encode(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  // EVP_Q_mac rejects an empty key; an empty secret is still a (useless) HMAC key.
  static const unsigned char kEmpty = 0;
  const auto* key =
      secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
  if (EVP_Q_mac(nullptr, OSSL_MAC_NAME_HMAC, nullptr, digest, nullptr, key, secret.size(),
                reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, sizeof mac,
                &length) == nullptr) {
    ERR_clear_error();
    return {};
  }
  token += '.';
  token += detail::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
  return token;
}

std::string sign_hs_jwt(std::string_view payload_json, std::string_view secret, JwtAlgorithm alg,
                        std::string_view kid) {
  const char* digest = hmac_digest(alg);
  if (digest == nullptr) return {};
  const std::size_t min_secret = alg == JwtAlgorithm::HS256   ? 32
                                 : alg == JwtAlgorithm::HS384 ? 48
                                                              : 64;
  if (secret.size() < min_secret) return {};
  rapidjson::StringBuffer header;
  rapidjson::Writer<rapidjson::StringBuffer> writer(header);
  const std::string_view alg_name = to_string(alg);
  writer.StartObject();
  writer.Key("alg");
  writer.String(alg_name.data(), static_cast<rapidjson::SizeType>(alg_name.size()));
  writer.Key("typ");
  writer.String("JWT");
  if (!kid.empty()) {
    writer.Key("kid");
    writer.String(kid.data(), static_cast<rapidjson::SizeType>(kid.size()));
  }
  writer.EndObject();
  return sign_hs_jws(std::string_view(header.GetString(), header.GetSize()), payload_json, secret,
                     alg);
}

}  // namespace eudiplo_sse
