// Signs the load generator's own access tokens: HS256 with the server's secret, or ES256 with
// an EC P-256 private key whose public half the server reads from a JWKS file. Claims mirror
// the tokens of POST /oauth2/token (iss, sub, tenant_id, roles, iat, exp) plus a `jti` that
// makes every token distinct, so a server cannot answer a new token from a cache.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace eudiplo_sse::bench {

std::string base64url(std::string_view bytes);

struct TokenClaims {
  std::string issuer = "eudiplo-service";
  std::string subject = "demo";
  std::string tenant = "demo";
  std::int64_t lifetime_seconds = 3600;
};

class JwtSigner {
 public:
  // Empty on failure, with the reason in `error`.
  static std::unique_ptr<JwtSigner> hs256(std::string secret, TokenClaims claims);
  static std::unique_ptr<JwtSigner> es256(const std::string& pem_path, std::string kid,
                                          TokenClaims claims, std::string& error);
  ~JwtSigner();
  JwtSigner(const JwtSigner&) = delete;
  JwtSigner& operator=(const JwtSigner&) = delete;

  // A fresh token; `serial` goes into `jti`.
  std::string sign(std::uint64_t serial) const;
  std::string_view algorithm() const;
  // {"keys":[...]} with the public key (ES256 only; empty for HS256).
  std::string jwks() const;

 private:
  struct Impl;
  explicit JwtSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eudiplo_sse::bench
