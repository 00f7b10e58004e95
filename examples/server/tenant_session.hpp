// The common front of the routes under /session/{id}/ that this example server adds
// beside the library's events route: authenticate the Bearer token, check the id,
// and find the session in the caller's tenant (another tenant's session is a 404,
// indistinguishable from an unknown one).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "bearer_auth.hpp"
#include "eudiplo_sse/session.hpp"
#include "eudiplo_sse/session_service.hpp"

namespace eudiplo_sse::server {

struct TenantSession {
  std::optional<Principal> principal;  // both set when found
  std::optional<Session> session;
  http::HttpResponse refusal;  // 401, 403, 400, 404 or 503 otherwise
};

// Hands the outcome to `done`, exactly once: inline when the token or the id is
// refused or the store completes inline (in memory), else later on the store's
// thread (Redis). A store that cannot answer gives 503 with Retry-After
// `retry_after`. `request` need only live until the call returns.
void find_tenant_session(const http::HttpRequest& request, std::string_view id,
                         const TokenVerifier& verifier, SessionService& sessions,
                         std::atomic<std::uint64_t>& auth_failures,
                         std::chrono::seconds retry_after, std::function<void(TenantSession)> done);

}  // namespace eudiplo_sse::server
