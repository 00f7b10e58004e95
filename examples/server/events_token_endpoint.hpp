// POST /session/{id}/events-token (contract section 5): a short-lived token bound to
// one session by a `sid` claim, for a browser that should only watch that session.
//
// The caller authenticates with its Bearer token (tenant-scoped: another tenant's
// session is a 404). The minted token carries the caller's `sub`, tenant and roles
// plus `sid`; it lives at most --token-ttl, at most the session's remaining TTL and
// at most the caller's own token (minting never extends what the caller may do).
// The library's events route refuses it for any other session; this server's
// session API refuses it altogether (see bearer_auth.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "eudiplo_sse/asio/router.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/token_verifier.hpp"
#include "oauth_token_endpoint.hpp"
#include "tenant_session.hpp"

namespace eudiplo_sse::server {

class EventsTokenEndpoint {
 public:
  // `issuer.lifetime` is the upper bound (--token-ttl).
  EventsTokenEndpoint(const TokenVerifier& verifier, SessionService& sessions,
                      std::atomic<std::uint64_t>& auth_failures, TokenIssuerOptions issuer);

  // Adds POST /session/{id}/events-token; this object must outlive `router`.
  void mount(http::Router& router);

  using Completion = std::function<void(http::HttpResponse)>;

  // Hands `done` 201 {"access_token","token_type":"Bearer","expires_in"}; 401/403
  // for the caller's token, 400 for a bad id, 404 for a session outside the
  // caller's tenant, 409 when the session has already passed its expiry, 503 with
  // Retry-After when the store cannot answer. Inline with an in-memory store,
  // later on the store's thread with Redis (see find_tenant_session()).
  void handle(const http::HttpRequest& request, std::string_view id, Completion done) const;

  // The Retry-After of a 503.
  std::chrono::seconds unavailable_retry_after{2};

 private:
  http::HttpResponse answer(TenantSession found) const;
  std::string sign(const Principal& caller, std::string_view session_id, std::int64_t iat,
                   std::int64_t lifetime) const;

  const TokenVerifier& verifier_;
  SessionService& sessions_;
  std::atomic<std::uint64_t>& auth_failures_;
  TokenIssuerOptions issuer_;
};

}  // namespace eudiplo_sse::server
