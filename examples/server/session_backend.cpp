#include "session_backend.hpp"

#ifdef EUDIPLO_SSE_SERVER_WITH_REDIS
#include <cstdio>

#include "eudiplo_sse/redis/redis_session_store.hpp"
#include "eudiplo_sse/redis/redis_status_bus.hpp"
#include "eudiplo_sse/redis/redis_tls.hpp"
#include "eudiplo_sse/redis/redis_url.hpp"
#endif

namespace eudiplo_sse::server {

#ifdef EUDIPLO_SSE_SERVER_WITH_REDIS
namespace {

// The URL with its TLS files, and why it cannot be used (empty when it can).
std::string redis_url_of(const ServerOptions& opts, redis::RedisUrl& url) {
  if (const auto ec = redis::parse_redis_url(opts.redis_url, url)) {
    return "--redis: " + ec.message();  // the message, never the URL (it may hold a password)
  }
  url.tls_options = {opts.redis_tls_ca, opts.redis_tls_ca_dir, opts.redis_tls_cert,
                     opts.redis_tls_key};
  // Bad files are refused now, not retried forever in the background.
  if (url.tls) {
    if (const auto ec = redis::check_redis_tls(url.tls_options))
      return "--redis-tls-*: " + ec.message();
  }
  return {};
}

// Connection failures are logged once per cause (RedisOptions::on_connection_error):
// what Redis, TLS or the network said, so that an operator sees why streams get 503.
redis::RedisOptions redis_options() {
  redis::RedisOptions options;
  options.on_connection_error = [](std::error_code ec, const std::string& detail) {
    std::fprintf(stderr, "eudiplo_sse_server: redis: %s%s%s\n", ec.message().c_str(),
                 detail.empty() ? "" : ": ", detail.c_str());
  };
  return options;
}

}  // namespace
#endif

SessionBackend::SessionBackend(const ServerOptions& opts, StatusPublisher& publisher) {
  if (opts.redis_url.empty()) {
    auto memory = std::make_unique<InMemorySessionStore>();
    memory_ = memory.get();
    store_ = std::move(memory);
    return;
  }
#ifdef EUDIPLO_SSE_SERVER_WITH_REDIS
  redis::RedisUrl url;
  error_ = redis_url_of(opts, url);
  if (!error_.empty()) return;
  auto store = std::make_unique<redis::RedisSessionStore>(url, redis_options());
  // The store's scripts publish each change in the step that commits it.
  bus_ = std::make_unique<redis::RedisStatusBus>(url, redis_options(), publisher, *store,
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
