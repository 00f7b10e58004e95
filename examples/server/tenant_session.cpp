#include "tenant_session.hpp"

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse::server {

TenantSession find_tenant_session(const http::HttpRequest& request, std::string_view id,
                                  const TokenVerifier& verifier, SessionService& sessions,
                                  std::atomic<std::uint64_t>& auth_failures) {
  TenantSession out;
  auto auth = authenticate(request, verifier, sessions.now(), auth_failures);
  if (!auth.principal) {
    out.refusal = std::move(auth.refusal);
    return out;
  }
  if (!is_valid_session_id(id)) {
    out.refusal =
        http::HttpResponse::error(400, make_error_code(error::invalid_session_id).message());
    return out;
  }
  auto session = sessions.get(auth.principal->tenant, id);
  if (!session) {
    out.refusal =
        http::HttpResponse::error(404, make_error_code(error::session_not_found).message());
    return out;
  }
  out.principal = std::move(auth.principal);
  out.session = std::move(session);
  return out;
}

}  // namespace eudiplo_sse::server
