#include "tenant_session.hpp"

#include <string>
#include <utility>

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse::server {

void find_tenant_session(const http::HttpRequest& request, std::string_view id,
                         const TokenVerifier& verifier, SessionService& sessions,
                         std::atomic<std::uint64_t>& auth_failures,
                         std::chrono::seconds retry_after,
                         std::function<void(TenantSession)> done) {
  TenantSession out;
  auto auth = authenticate(request, verifier, sessions.now(), auth_failures);
  if (!auth.principal) {
    out.refusal = std::move(auth.refusal);
    return done(std::move(out));
  }
  if (!is_valid_session_id(id)) {
    out.refusal =
        http::HttpResponse::error(400, make_error_code(error::invalid_session_id).message());
    return done(std::move(out));
  }
  const std::string tenant = auth.principal->tenant;
  sessions.async_get(tenant, id,
                     [principal = std::move(*auth.principal), retry_after, done = std::move(done)](
                         std::error_code ec, std::optional<Session> session) mutable {
                       TenantSession found;
                       if (ec) {
                         found.refusal = http::HttpResponse::error(
                             503, make_error_code(error::store_unavailable).message());
                         found.refusal.set("Retry-After", std::to_string(retry_after.count()));
                       } else if (!session) {
                         found.refusal = http::HttpResponse::error(
                             404, make_error_code(error::session_not_found).message());
                       } else {
                         found.principal = std::move(principal);
                         found.session = std::move(session);
                       }
                       done(std::move(found));
                     });
}

}  // namespace eudiplo_sse::server
