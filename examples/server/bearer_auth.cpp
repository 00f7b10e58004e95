#include "bearer_auth.hpp"

#include "eudiplo_sse/events_route.hpp"
#include "token_claims.hpp"

namespace eudiplo_sse::server {

AuthOutcome authenticate(const http::HttpRequest& request, const TokenVerifier& verifier,
                         TimePoint now, std::atomic<std::uint64_t>& failures) {
  AuthOutcome out;
  const std::string_view token = select_token(request.field("Authorization"), {});
  VerifyResult result;
  if (token.empty()) {
    result.error = error::token_missing;
  } else {
    result = verifier.verify(token, now);
  }
  if (result.error) {
    failures.fetch_add(1, std::memory_order_relaxed);
    // The same 401/403 answer and challenge as the events route.
    EventsResponse refusal = refuse_token(result.error);
    out.refusal.status = refusal.status;
    out.refusal.body = std::move(refusal.body);
    for (auto& h : refusal.headers) out.refusal.set(h.name, h.value);
    return out;
  }
  if (jwt_has_claim(token, "sid")) {
    // A session-scoped token (POST /session/{id}/events-token) may be handed to a
    // browser: it opens that session's event stream and nothing else.
    failures.fetch_add(1, std::memory_order_relaxed);
    out.refusal =
        http::HttpResponse::error(403, "a session-scoped token only opens the event stream");
    return out;
  }
  out.principal = std::move(result.principal);
  return out;
}

}  // namespace eudiplo_sse::server
