// Where the server keeps its sessions: in this process (the default), or in Redis
// with --redis (several instances behind a load balancer share sessions, and a
// change made through one reaches the streams of every other: docs/scaling.md).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/session_store.hpp"
#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_publisher.hpp"
#include "server_options.hpp"

namespace eudiplo_sse::server {

class SessionBackend {
 public:
  // The store (and for Redis, the bus) for `opts`; check error() before use.
  SessionBackend(const ServerOptions& opts, StatusPublisher& publisher);
  ~SessionBackend();
  SessionBackend(const SessionBackend&) = delete;
  SessionBackend& operator=(const SessionBackend&) = delete;

  // Why the backend cannot be used (a bad --redis URL, no Redis support built
  // in); empty when it can. Never holds the URL's password.
  const std::string& error() const noexcept { return error_; }

  SessionStore& store() noexcept { return *store_; }
  // The in-memory store (for /metrics' counts); nullptr with Redis.
  const InMemorySessionStore* memory() const noexcept { return memory_; }
  // Redis: the bus between instances; nullptr in memory.
  StatusBus* bus() noexcept { return bus_.get(); }

 private:
  std::unique_ptr<SessionStore> store_;
  std::unique_ptr<StatusBus> bus_;
  const InMemorySessionStore* memory_ = nullptr;
  std::string error_;
};

// A SessionService on `backend`: through its bus when it has one, with the live
// sessions per tenant capped at `max_sessions_per_tenant` (0: no cap; both stores
// the server uses can count them).
std::unique_ptr<SessionService> make_session_service(SessionBackend& backend,
                                                     StatusPublisher& publisher,
                                                     std::size_t max_sessions_per_tenant);

}  // namespace eudiplo_sse::server
