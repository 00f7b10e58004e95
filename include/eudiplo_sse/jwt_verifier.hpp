// JwtVerifier: the library's TokenVerifier, JWS compact tokens on OpenSSL 3.
//
// Algorithms: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 (R||S
// signatures, RFC 7518 3.4) and EdDSA over Ed25519 (RFC 8037).
//
// Keys. Every key is bound to exactly one algorithm when it is added; a token's
// `alg` header must name that algorithm and never chooses how a key is used, so
// `alg: none` cannot verify and an RSA public key can never serve as an HMAC secret
// (RFC 8725 2.1, 3.1). Key selection: a token with `kid` is tried against the keys
// with exactly that kid; a token without one against every key of its algorithm.
// A kid that matches nothing is error::key_unknown; keys that exist but are bound
// to another algorithm give error::algorithm_disallowed. `jku`, `x5u`, `jwk` and
// `x5c` headers are never followed, and any `crit` entry is refused
// (error::critical_header_unknown: this verifier implements no JWS extension).
//
// Claims. `exp` is required (error::token_malformed without it). With leeway L,
// a token is expired when now >= exp + L, and not yet valid when now < nbf - L or
// now < iat - L. Principal::expires_at is exp + L, the instant verify() starts
// refusing, so a stream opened with the token ends exactly then. An optional
// `sid` claim (options.session_claim), a non-empty string, becomes
// Principal::session_id and binds the token to that session. `iss` must equal
// options.issuer and `aud` (a string or an array) must contain options.audience,
// each when configured (non-empty). The tenant claim must be a non-empty string
// (error::tenant_missing, 403), and with required roles configured, the `roles`
// array must hold one of them (error::role_missing, 403).
// Tokens over 8 KiB are refused before any parsing; base64url is strict; each JSON
// part must be one object without duplicate member names. The payload is parsed
// only after the signature has verified.
//
// Cache. Verified tokens are remembered (keyed by the SHA-256 of the token,
// bounded, sharded) until exp + leeway, so a storm of reconnecting RS256/ES256
// clients costs a hash and a map lookup per connection instead of a signature
// verification. Each entry records the key that verified it: once that key has
// left the key set (replace_keys, replace_jwks), the entry is no longer served and
// the token is verified afresh against the current keys. A token its issuer revoked
// still verifies until it expires, as stateless JWT does by design; set
// cache_size = 0 if that is not wanted.
//
// Key rotation. The keys form one immutable set behind a shared_ptr that writers
// swap atomically (std::atomic_load / std::atomic_store): verify() copies the
// pointer and works on that snapshot, so a rotation never blocks verification and
// a verification never sees half a set. replace_keys()/replace_jwks() swap in a
// whole new set; add_* copy the current set plus one key. A successful
// verification puts the key's fingerprint in Principal::key_ref; key_present()
// tells whether that key is still in the set (EventsRoute ends streams whose key
// was removed), key_generation() changes whenever the set does.
//
// Thread safety: verify(), key_present(), key_generation() and every const member
// may run on any number of threads, concurrently with add_* and replace_* (which
// are serialised among themselves by a writers' mutex verify() never takes).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/jwt_algorithm.hpp"
#include "eudiplo_sse/jwt_key_set.hpp"
#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse {

struct JwtVerifierOptions {
  std::string issuer;    // required `iss`; empty: not checked
  std::string audience;  // required in `aud`; empty: not checked
  std::string tenant_claim = "tenant_id";
  // The claim that binds a token to one session (Principal::session_id); empty:
  // none is read. Renamable because OpenID Connect gives `sid` another meaning
  // (the provider's login session) in tokens from some identity providers.
  std::string session_claim = "sid";
  std::vector<std::string> required_roles;  // any one of them; empty: no role needed
  std::chrono::seconds leeway{30};          // for exp, nbf and iat
  std::size_t cache_size = 16384;           // verified tokens remembered; 0 disables
};

class EUDIPLO_SSE_EXPORT JwtVerifier final : public TokenVerifier {
 public:
  explicit JwtVerifier(JwtVerifierOptions options = {});
  ~JwtVerifier() override;
  JwtVerifier(JwtVerifier&&) noexcept;
  JwtVerifier& operator=(JwtVerifier&&) noexcept;
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // An HMAC secret for HS256/384/512, at least as long as the hash output (32, 48,
  // 64 bytes; RFC 7518 3.2). error::key_invalid for a shorter secret or a non-HS alg.
  std::error_code add_hmac_secret(std::string_view secret, JwtAlgorithm alg = JwtAlgorithm::HS256,
                                  std::string kid = {});

  // A PEM public key ("-----BEGIN PUBLIC KEY-----") whose type fits `alg`: RSA of at
  // least 2048 bits for RS*/PS*, EC P-256/P-384/P-521 for ES256/384/512, Ed25519 for
  // EdDSA. error::key_invalid otherwise (private keys, certificates, other curves).
  std::error_code add_pem_public_key(std::string_view pem, JwtAlgorithm alg, std::string kid = {});

  // Every signing key of a JWKS document ({"keys":[...]}: RSA n/e, EC crv/x/y, OKP
  // Ed25519 x, with `kid`, `alg`, `use`). Keys without `alg` are bound to the one
  // algorithm their curve allows, RSA keys to RS256. Keys for other uses (`use`
  // "enc", RSA-OAEP, X25519, "oct") are skipped. All or nothing: error::key_invalid
  // when the document or one of its keys is malformed, or no key is usable.
  std::error_code add_jwks(std::string_view jwks_json);

  // Makes `keys` the whole key set in one atomic step. Tokens and cache entries of
  // keys absent from `keys` stop verifying at once. A set with the same keys as the
  // current one (by fingerprint) changes nothing, not even key_generation().
  void replace_keys(JwtKeySet keys);
  // replace_keys() with the keys of a JWKS document, checked as add_jwks(); on
  // error (error::key_invalid) the current set stays in use untouched.
  std::error_code replace_jwks(std::string_view jwks_json);

  std::size_t key_count() const noexcept;
  // Changes each time the key set does (starts at 0).
  std::uint64_t key_generation() const noexcept override;
  // Whether the key that verified a token (Principal::key_ref) is still in the set.
  bool key_present(std::uint64_t key_ref) const noexcept override;
  // Verifications refused with error::key_unknown so far: a key source compares it
  // between ticks to refresh early when tokens name a kid it does not have.
  std::uint64_t unknown_key_count() const noexcept;
  const JwtVerifierOptions& options() const noexcept;

  // Successful verifications answered from the cache so far (for tests and metrics).
  std::uint64_t cache_hits() const noexcept;

  VerifyResult verify(std::string_view token, TimePoint now) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eudiplo_sse
