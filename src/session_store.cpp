#include "eudiplo_sse/session_store.hpp"

#include <utility>

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse {

// The inline defaults: an in-memory store answers at once, so its completion runs
// on the caller's thread before async_* returns (docs/integration.md, "Host-written stores").

void SessionStore::async_create(const Session& session, CreateHandler handler) {
  handler(create(session));
}

// A store that does not override create_capped cannot count a tenant's live
// sessions: refusing says so, where creating anyway would silently drop the cap.
std::error_code SessionStore::create_capped(const Session& session, std::size_t max_live) {
  if (max_live == 0) return create(session);
  return error::session_limit_unsupported;
}

void SessionStore::async_create_capped(const Session& session, std::size_t max_live,
                                       CreateHandler handler) {
  if (max_live == 0) return async_create(session, std::move(handler));
  handler(create_capped(session, max_live));
}

void SessionStore::async_get(std::string_view tenant, std::string_view id, GetHandler handler) {
  handler(std::error_code(), get(tenant, id));
}

void SessionStore::async_transition(std::string_view tenant, std::string_view id, SessionStatus to,
                                    TimePoint now, TransitionHandler handler) {
  handler(transition(tenant, id, to, now));
}

void SessionStore::async_expire_due(TimePoint now, ExpireHandler handler) {
  handler(std::error_code(), expire_due(now));
}

}  // namespace eudiplo_sse
