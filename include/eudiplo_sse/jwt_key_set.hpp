// JwtKeySet: a set of verification keys built off to the side and then handed to
// JwtVerifier::replace_keys() in one step, so a verifier in service moves from
// one complete key set to the next (key rotation) and never serves a half-built one.
//
// Every key is checked exactly as by the JwtVerifier::add_* functions (algorithm
// binding, RSA size, EC curve, HMAC secret length); see jwt_verifier.hpp.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/jwt_algorithm.hpp"

namespace eudiplo_sse {

class EUDIPLO_SSE_EXPORT JwtKeySet {
 public:
  JwtKeySet();
  ~JwtKeySet();
  JwtKeySet(JwtKeySet&&) noexcept;
  JwtKeySet& operator=(JwtKeySet&&) noexcept;
  JwtKeySet(const JwtKeySet&) = delete;
  JwtKeySet& operator=(const JwtKeySet&) = delete;

  // As JwtVerifier::add_hmac_secret / add_pem_public_key / add_jwks.
  std::error_code add_hmac_secret(std::string_view secret, JwtAlgorithm alg = JwtAlgorithm::HS256,
                                  std::string kid = {});
  std::error_code add_pem_public_key(std::string_view pem, JwtAlgorithm alg, std::string kid = {});
  std::error_code add_jwks(std::string_view jwks_json);

  std::size_t size() const noexcept;

 private:
  friend class JwtVerifier;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eudiplo_sse
