#include "events_token_endpoint.hpp"

#include <algorithm>

#include "tenant_session.hpp"
#include "token_minting.hpp"

namespace eudiplo_sse::server {
namespace {

std::int64_t seconds_since_epoch(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

EventsTokenEndpoint::EventsTokenEndpoint(const TokenVerifier& verifier, SessionService& sessions,
                                         std::atomic<std::uint64_t>& auth_failures,
                                         TokenIssuerOptions issuer)
    : verifier_(verifier),
      sessions_(sessions),
      auth_failures_(auth_failures),
      issuer_(std::move(issuer)) {}

void EventsTokenEndpoint::mount(http::Router& router) {
  router.add("POST", "/session/{id}/events-token",
             [this](http::HttpExchange& ex, const http::RouteParams& p) {
               // The session is read from the store, which may answer later (Redis).
               auto deferred = ex.defer();
               if (!deferred) return;
               handle(ex.request(), p.at(0),
                      [deferred](http::HttpResponse r) { deferred->respond(std::move(r)); });
             });
}

void EventsTokenEndpoint::handle(const http::HttpRequest& request, std::string_view id,
                                 Completion done) const {
  find_tenant_session(request, id, verifier_, sessions_, auth_failures_, unavailable_retry_after,
                      [this, done = std::move(done)](TenantSession found) {
                        try {
                          done(answer(std::move(found)));
                        } catch (...) {
                          // Out of memory: a deferred answer left unanswered becomes a 500.
                        }
                      });
}

http::HttpResponse EventsTokenEndpoint::answer(TenantSession found) const {
  if (!found.session) return no_store(std::move(found.refusal));

  const std::int64_t now = seconds_since_epoch(sessions_.now());
  std::int64_t lifetime = issuer_.lifetime.count();
  lifetime = std::min(lifetime, seconds_since_epoch(found.session->expires_at) - now);
  // A verifier may leave exp unset (a host's own TokenVerifier); then it sets no bound.
  // expires_at is when the verifier stops accepting (exp + leeway): the caller's exp
  // is the bound, so the minted token never outlives the one that asked for it.
  if (found.principal->expires_at != TimePoint{}) {
    const std::int64_t caller_exp =
        seconds_since_epoch(found.principal->expires_at) - issuer_.verifier_leeway.count();
    lifetime = std::min(lifetime, caller_exp - now);
  }
  if (lifetime <= 0) {
    return no_store(http::HttpResponse::error(409, "the session or the token has expired"));
  }
  const std::string token = sign(*found.principal, found.session->id, now, lifetime);
  if (token.empty()) return no_store(http::HttpResponse::error(500, "cannot sign tokens"));

  return token_response(201, token, lifetime);
}

std::string EventsTokenEndpoint::sign(const Principal& caller, std::string_view session_id,
                                      std::int64_t iat, std::int64_t lifetime) const {
  const MintedClaims claims{caller.subject, caller.tenant, caller.roles, session_id, iat, lifetime};
  return mint_token(issuer_, claims);
}

}  // namespace eudiplo_sse::server
