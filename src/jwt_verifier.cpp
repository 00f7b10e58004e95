#include "openssl_api.hpp"
// (first: hides deprecated OpenSSL APIs)
#include "eudiplo_sse/jwt_verifier.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>

#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/detail/jwt_parse.hpp"
#include "jwt_cache.hpp"
#include "jwt_jwks.hpp"
#include "jwt_key.hpp"
#include "jwt_key_set_impl.hpp"

namespace eudiplo_sse {
namespace {

VerifyResult refuse(error e) { return VerifyResult{make_error_code(e), {}}; }

// NumericDates are clamped into what Clock::duration can hold (about +-292 years
// around 1970 with nanoseconds) so that exp = 1e300 means "far future", not overflow.
TimePoint to_time_point(double seconds) {
  constexpr double kLimit = 9.0e9;
  seconds = std::clamp(seconds, -kLimit, kLimit);
  return TimePoint(
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
}

// One immutable key set and the generation it was published as.
struct ActiveKeys {
  SharedJwtKeys keys;
  std::uint64_t generation = 0;

  bool contains(std::uint64_t fingerprint) const noexcept {
    for (const auto& k : keys) {
      if (k->fingerprint() == fingerprint) return true;
    }
    return false;
  }
};

// Key selection (see jwt_verifier.hpp): the key of `keys` that verifies the
// signature, else why none did.
error find_signer(const ActiveKeys& keys, const std::optional<std::string>& kid, JwtAlgorithm alg,
                  std::string_view signing_input, std::string_view signature,
                  const detail::JwtKey*& verified_by) {
  bool key_named = false;  // some key has the token's kid (or the token names none)
  bool key_tried = false;
  for (const auto& key : keys.keys) {
    if (kid && key->kid() != *kid) continue;
    key_named = true;
    if (key->algorithm() != alg) continue;
    key_tried = true;
    if (key->verify(signing_input, signature)) {
      verified_by = key.get();
      return error{};
    }
  }
  if (!key_tried) return key_named ? error::algorithm_disallowed : error::key_unknown;
  return error::signature_invalid;
}

}  // namespace

struct JwtVerifier::Impl {
  explicit Impl(JwtVerifierOptions o) : options(std::move(o)), cache(options.cache_size) {
    if (cache.enabled()) sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  }
  ~Impl() { EVP_MD_free(sha256); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  VerifyResult verify(std::string_view token, TimePoint now) const;
  VerifyResult check_claims(detail::JwtClaims& claims, TimePoint now) const;  // moves from claims

  // Readers: std::atomic_load, never anything else (no lock of ours on verify()).
  std::shared_ptr<const ActiveKeys> snapshot() const { return std::atomic_load(&active); }
  // Writers, under writer_mutex: publishes `keys` unless it equals the current set.
  void publish(SharedJwtKeys keys) {
    const auto current = snapshot();
    if (detail::same_keys(current->keys, keys)) return;
    auto next = std::make_shared<ActiveKeys>();
    next->keys = std::move(keys);
    next->generation = current->generation + 1;
    std::atomic_store(&active, std::shared_ptr<const ActiveKeys>(std::move(next)));
  }
  // add_*: the current set plus the keys of `extra`.
  std::error_code add(JwtKeySet extra, std::error_code ec) {
    if (ec) return ec;
    std::lock_guard<std::mutex> lock(writer_mutex);
    SharedJwtKeys keys = snapshot()->keys;
    for (auto& k : extra.impl_->keys) keys.push_back(std::move(k));
    publish(std::move(keys));
    return {};
  }

  JwtVerifierOptions options;
  std::shared_ptr<const ActiveKeys> active = std::make_shared<const ActiveKeys>();
  std::mutex writer_mutex;
  mutable std::atomic<std::uint64_t> unknown_keys{0};
  mutable detail::VerifiedTokenCache cache;  // thread-safe on its own
  EVP_MD* sha256 = nullptr;
  mutable std::atomic<std::uint64_t> cache_hits{0};
};

VerifyResult JwtVerifier::Impl::verify(std::string_view token, TimePoint now) const {
  detail::JwtParts parts;
  if (auto ec = detail::split_jwt(token, parts)) return VerifyResult{ec, {}};

  detail::VerifiedTokenCache::Digest digest{};
  const bool use_cache = sha256 != nullptr;
  if (use_cache) {
    if (EVP_Digest(token.data(), token.size(), digest.data(), nullptr, sha256, nullptr) != 1) {
      return refuse(error::token_malformed);
    }
  }
  const std::shared_ptr<const ActiveKeys> keys = snapshot();
  if (use_cache) {
    VerifyResult hit;
    // An entry whose key has left the set is ignored (and soon overwritten): the
    // token is verified afresh below and fails against the current keys.
    if (cache.find(digest, now, hit.principal) && keys->contains(hit.principal.key_ref)) {
      cache_hits.fetch_add(1, std::memory_order_relaxed);
      return hit;
    }
  }

  // All three segments are decoded up front, so that bad base64url anywhere is
  // token_malformed; the payload's JSON waits for the signature.
  // One buffer on the stack holds all three: 3/4 of at most kMaxTokenSize bytes.
  unsigned char decoded[detail::kMaxTokenSize / 4 * 3];
  auto decode = [&decoded, used = std::size_t{0}](std::string_view text,
                                                  std::string_view& out) mutable {
    const std::size_t size = detail::base64url_decoded_size(text);
    if (!detail::base64url_decode(text, decoded + used)) return false;
    out = std::string_view(reinterpret_cast<const char*>(decoded + used), size);
    used += size;
    return true;
  };
  std::string_view header_json, payload_json, signature;
  if (!decode(parts.header, header_json) || !decode(parts.payload, payload_json) ||
      !decode(parts.signature, signature)) {
    return refuse(error::token_malformed);
  }
  detail::JwtHeader header;
  if (auto ec = detail::parse_jwt_header(header_json, header)) return VerifyResult{ec, {}};
  const auto alg = jwt_algorithm_from_string(header.alg);
  if (!alg) return refuse(error::algorithm_unsupported);  // "none" included
  if (!header.crit.empty()) return refuse(error::critical_header_unknown);

  const detail::JwtKey* verified_by = nullptr;
  if (const error e =
          find_signer(*keys, header.kid, *alg, parts.signing_input, signature, verified_by);
      e != error{}) {
    if (e == error::key_unknown) unknown_keys.fetch_add(1, std::memory_order_relaxed);
    return refuse(e);
  }

  detail::JwtClaims claims;
  if (auto ec = detail::parse_jwt_claims(payload_json, options.tenant_claim, claims,
                                         options.session_claim)) {
    return VerifyResult{ec, {}};
  }
  VerifyResult result = check_claims(claims, now);
  if (!result.error) result.principal.key_ref = verified_by->fingerprint();
  if (!result.error && use_cache) {
    const double leeway = static_cast<double>(options.leeway.count());
    const double not_before = std::max(claims.nbf.value_or(-1e18), claims.iat.value_or(-1e18));
    cache.insert(digest, to_time_point(not_before - leeway), to_time_point(*claims.exp + leeway),
                 result.principal);
  }
  return result;
}

VerifyResult JwtVerifier::Impl::check_claims(detail::JwtClaims& claims, TimePoint now) const {
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = static_cast<double>(options.leeway.count());
  if (!claims.exp) return refuse(error::token_malformed);  // a JWT that never expires is refused
  if (now_s >= *claims.exp + leeway) return refuse(error::token_expired);
  if (claims.nbf && now_s < *claims.nbf - leeway) return refuse(error::token_not_yet_valid);
  if (claims.iat && now_s < *claims.iat - leeway) return refuse(error::token_not_yet_valid);
  if (!options.issuer.empty() && claims.iss != options.issuer)
    return refuse(error::issuer_mismatch);
  if (!options.audience.empty() &&
      std::find(claims.aud.begin(), claims.aud.end(), options.audience) == claims.aud.end()) {
    return refuse(error::audience_mismatch);
  }
  if (!claims.tenant || claims.tenant->empty()) return refuse(error::tenant_missing);
  if (!options.required_roles.empty() &&
      std::find_first_of(claims.roles.begin(), claims.roles.end(), options.required_roles.begin(),
                         options.required_roles.end()) == claims.roles.end()) {
    return refuse(error::role_missing);
  }
  VerifyResult result;
  result.principal.tenant = std::move(*claims.tenant);
  result.principal.subject = std::move(claims.sub);
  result.principal.roles = std::move(claims.roles);
  // exp + leeway: when verify() stops accepting, so when the stream must end.
  result.principal.expires_at = to_time_point(*claims.exp + leeway);
  if (claims.session) result.principal.session_id = std::move(*claims.session);
  return result;
}

JwtVerifier::JwtVerifier(JwtVerifierOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
JwtVerifier::~JwtVerifier() = default;
JwtVerifier::JwtVerifier(JwtVerifier&&) noexcept = default;
JwtVerifier& JwtVerifier::operator=(JwtVerifier&&) noexcept = default;

std::error_code JwtVerifier::add_hmac_secret(std::string_view secret, JwtAlgorithm alg,
                                             std::string kid) {
  JwtKeySet extra;
  auto ec = extra.add_hmac_secret(secret, alg, std::move(kid));
  return impl_->add(std::move(extra), ec);
}

std::error_code JwtVerifier::add_pem_public_key(std::string_view pem, JwtAlgorithm alg,
                                                std::string kid) {
  JwtKeySet extra;
  auto ec = extra.add_pem_public_key(pem, alg, std::move(kid));
  return impl_->add(std::move(extra), ec);
}

std::error_code JwtVerifier::add_jwks(std::string_view jwks_json) {
  JwtKeySet extra;
  auto ec = extra.add_jwks(jwks_json);
  return impl_->add(std::move(extra), ec);
}

void JwtVerifier::replace_keys(JwtKeySet keys) {
  std::lock_guard<std::mutex> lock(impl_->writer_mutex);
  impl_->publish(std::move(keys.impl_->keys));
}

std::error_code JwtVerifier::replace_jwks(std::string_view jwks_json) {
  JwtKeySet keys;
  if (auto ec = keys.add_jwks(jwks_json)) return ec;
  replace_keys(std::move(keys));
  return {};
}

std::size_t JwtVerifier::key_count() const noexcept { return impl_->snapshot()->keys.size(); }

std::uint64_t JwtVerifier::key_generation() const noexcept { return impl_->snapshot()->generation; }

bool JwtVerifier::key_present(std::uint64_t key_ref) const noexcept {
  return key_ref == 0 || impl_->snapshot()->contains(key_ref);
}

std::uint64_t JwtVerifier::unknown_key_count() const noexcept {
  return impl_->unknown_keys.load(std::memory_order_relaxed);
}

const JwtVerifierOptions& JwtVerifier::options() const noexcept { return impl_->options; }

std::uint64_t JwtVerifier::cache_hits() const noexcept {
  return impl_->cache_hits.load(std::memory_order_relaxed);
}

VerifyResult JwtVerifier::verify(std::string_view token, TimePoint now) const {
  return impl_->verify(token, now);
}

}  // namespace eudiplo_sse
