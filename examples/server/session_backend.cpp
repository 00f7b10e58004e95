#include "session_backend.hpp"

#ifdef EUDIPLO_SSE_SERVER_WITH_REDIS
#include "eudiplo_sse/redis/redis_session_store.hpp"
#include "eudiplo_sse/redis/redis_status_bus.hpp"
#include "eudiplo_sse/redis/redis_url.hpp"
#endif

namespace eudiplo_sse::server {

SessionBackend::SessionBackend(const ServerOptions& opts, StatusPublisher& publisher) {
  if (opts.redis_url.empty()) {
    auto memory = std::make_unique<InMemorySessionStore>();
    memory_ = memory.get();
    store_ = std::move(memory);
    return;
  }
#ifdef EUDIPLO_SSE_SERVER_WITH_REDIS
  redis::RedisUrl url;
  if (const auto ec = redis::parse_redis_url(opts.redis_url, url)) {
    error_ = "--redis: " + ec.message();  // the message, never the URL (it may hold a password)
    return;
  }
  auto store = std::make_unique<redis::RedisSessionStore>(url, redis::RedisOptions{});
  // The store's scripts publish each change in the step that commits it.
  bus_ = std::make_unique<redis::RedisStatusBus>(url, redis::RedisOptions{}, publisher, *store,
                                                 redis::BusPublishing::by_store_scripts);
  store_ = std::move(store);
#else
  (void)publisher;
  error_ =
      "--redis: this eudiplo_sse_server was built without Redis support "
      "(configure with -DEUDIPLO_SSE_WITH_REDIS=ON)";
#endif
}

// The bus goes first: it reads through the store when it reconnects.
SessionBackend::~SessionBackend() { bus_.reset(); }

std::unique_ptr<SessionService> make_session_service(SessionBackend& backend,
                                                     StatusPublisher& publisher,
                                                     std::size_t max_sessions_per_tenant) {
  auto service = backend.bus()
                     ? std::make_unique<SessionService>(backend.store(), publisher, *backend.bus())
                     : std::make_unique<SessionService>(backend.store(), publisher);
  service->set_max_sessions_per_tenant(max_sessions_per_tenant);
  return service;
}

}  // namespace eudiplo_sse::server
