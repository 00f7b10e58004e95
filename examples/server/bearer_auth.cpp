#include "bearer_auth.hpp"

#include "eudiplo_sse/events_route.hpp"
#include "token_claims.hpp"

namespace eudiplo_sse::server {

AuthOutcome authenticate(const http::HttpRequest& request, const TokenVerifier& verifier,
                         TimePoint now, std::atomic<std::uint64_t>& failures) {
  AuthOutcome out;
  const std::string_view token = select_token(request.field("Authorization"), {});
  if (token.empty()) {
    failures.fetch_add(1, std::memory_order_relaxed);
    out.refusal = http::HttpResponse::error(401, "missing token");
    out.refusal.set("WWW-Authenticate", "Bearer");
    return out;
  }
  VerifyResult result = verifier.verify(token, now);
  if (result.error) {
    failures.fetch_add(1, std::memory_order_relaxed);
    // The messages of the library's error category are fixed strings, never token data.
    if (is_forbidden_error(result.error)) {
      out.refusal = http::HttpResponse::error(403, result.error.message());
    } else {
      out.refusal = http::HttpResponse::error(401, result.error.message());
      out.refusal.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
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
