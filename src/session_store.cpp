#include "eudiplo_sse/session_store.hpp"

#include <utility>

namespace eudiplo_sse {

// The inline defaults: an in-memory store answers at once, so its completion runs
// on the caller's thread before async_* returns (docs/integration.md, "Host-written stores").

void SessionStore::async_create(const Session& session, CreateHandler handler) {
  handler(create(session));
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
