#include "eudiplo_sse/jwt_key_set.hpp"

#include <algorithm>
#include <cstdint>

#include "jwt_jwks.hpp"
#include "jwt_key_set_impl.hpp"

namespace eudiplo_sse {
namespace detail {

bool same_keys(const SharedJwtKeys& a, const SharedJwtKeys& b) {
  if (a.size() != b.size()) return false;
  auto prints = [](const SharedJwtKeys& keys) {
    std::vector<std::uint64_t> out;
    out.reserve(keys.size());
    for (const auto& k : keys) out.push_back(k->fingerprint());
    std::sort(out.begin(), out.end());
    return out;
  };
  return prints(a) == prints(b);
}

std::error_code append_jwks(std::string_view jwks_json, SharedJwtKeys& keys) {
  std::vector<std::unique_ptr<JwtKey>> parsed;
  if (auto ec = parse_jwks(jwks_json, parsed)) return ec;
  for (auto& k : parsed) keys.push_back(std::move(k));
  return {};
}

}  // namespace detail

JwtKeySet::JwtKeySet() : impl_(std::make_unique<Impl>()) {}
JwtKeySet::~JwtKeySet() = default;
JwtKeySet::JwtKeySet(JwtKeySet&&) noexcept = default;
JwtKeySet& JwtKeySet::operator=(JwtKeySet&&) noexcept = default;

std::error_code JwtKeySet::add_hmac_secret(std::string_view secret, JwtAlgorithm alg,
                                           std::string kid) {
  std::error_code ec;
  auto key = detail::JwtKey::from_hmac_secret(secret, alg, std::move(kid), ec);
  if (key) impl_->keys.push_back(std::move(key));
  return ec;
}

std::error_code JwtKeySet::add_pem_public_key(std::string_view pem, JwtAlgorithm alg,
                                              std::string kid) {
  std::error_code ec;
  auto key = detail::JwtKey::from_pem(pem, alg, std::move(kid), ec);
  if (key) impl_->keys.push_back(std::move(key));
  return ec;
}

std::error_code JwtKeySet::add_jwks(std::string_view jwks_json) {
  return detail::append_jwks(jwks_json, impl_->keys);
}

std::size_t JwtKeySet::size() const noexcept { return impl_->keys.size(); }

}  // namespace eudiplo_sse
