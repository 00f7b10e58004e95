// Store + publisher, wired so that every committed change is published: the one
// object a host calls to create sessions, change their status and expire them.
//
// Thread-safe as its store and publisher are. Changes are published after they
// are committed, which is what StatusPublisher::subscribe relies on for "no gap".
//
// Each operation comes in two forms (see session_store.hpp):
// - synchronous (create, get, set_status, expire_due): for in-memory stores. On
//   a network store these block the calling thread for up to the store's bounded
//   wait; never call them on an I/O thread there.
// - completion-based (async_*): the handler runs inline with an in-memory store,
//   later on the store's thread with a network store. The change is published
//   before the handler runs. Handlers must be short and must not throw.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/session_store.hpp"
#include "eudiplo_sse/status_publisher.hpp"

namespace eudiplo_sse {

class StatusBus;

struct CreateResult {
  std::error_code error;
  Session session;
};

class EUDIPLO_SSE_EXPORT SessionService {
 public:
  using CreateCompletion = std::function<void(CreateResult)>;
  using ExpireCompletion = std::function<void(std::error_code, std::size_t changed)>;

  // Single process: committed changes go straight to `publisher`.
  SessionService(SessionStore& store, StatusPublisher& publisher, ClockFn clock = system_now);
  // Several instances: committed changes go to `bus`, which delivers them to the
  // publisher of every instance (this one's included). `publisher` is still the
  // one streams subscribe to here.
  SessionService(SessionStore& store, StatusPublisher& publisher, StatusBus& bus,
                 ClockFn clock = system_now);

  // Caps the live (not terminal) sessions of each tenant: create() and
  // async_create() answer error::tenant_session_limit beyond it, through the
  // store's create_capped() (atomic with the insert; shared by every instance on
  // a shared store). 0, the default, means no cap, so a host-written store that
  // cannot count keeps working. Set it before the service is shared by threads.
  void set_max_sessions_per_tenant(std::size_t max_live) noexcept { max_per_tenant_ = max_live; }
  std::size_t max_sessions_per_tenant() const noexcept { return max_per_tenant_; }
  // How many creates the per-tenant cap has refused so far (for metrics).
  std::uint64_t tenant_cap_refusals() const noexcept {
    return tenant_cap_refusals_.load(std::memory_order_relaxed);
  }

  // Creates an active session; `id` empty means a fresh random UUID (v4).
  CreateResult create(std::string_view tenant, std::chrono::seconds ttl, std::string_view id = {});
  void async_create(std::string_view tenant, std::chrono::seconds ttl, std::string_view id,
                    CreateCompletion handler);

  std::optional<Session> get(std::string_view tenant, std::string_view id);
  void async_get(std::string_view tenant, std::string_view id, GetHandler handler);

  // Compare-and-set status change, published when it changed something.
  TransitionResult set_status(std::string_view tenant, std::string_view id, SessionStatus to);
  void async_set_status(std::string_view tenant, std::string_view id, SessionStatus to,
                        TransitionHandler handler);

  // Expires due sessions and publishes each; returns how many changed.
  // Call about once a second (contract: expiry is seen within one second).
  std::size_t expire_due();
  void async_expire_due(ExpireCompletion handler);

  SessionStore& store() noexcept { return store_; }
  StatusPublisher& publisher() noexcept { return publisher_; }
  // The bus of the multi-instance constructor; nullptr in a single process.
  StatusBus* bus() noexcept { return bus_; }
  TimePoint now() const { return clock_(); }

 private:
  Session new_session(std::string_view tenant, std::chrono::seconds ttl, std::string_view id) const;
  // Hands a committed change to the bus, or straight to the publisher when there
  // is none (the single-process path costs one branch more than before).
  void announce(const Session& s);
  TimePoint now_ms() const;

  SessionStore& store_;
  StatusPublisher& publisher_;
  StatusBus* bus_ = nullptr;
  ClockFn clock_;
  std::size_t max_per_tenant_ = 0;
  std::atomic<std::uint64_t> tenant_cap_refusals_{0};
};

// A random UUID v4 from OpenSSL's CSPRNG, lower-case hex with dashes.
EUDIPLO_SSE_EXPORT std::string random_uuid();

}  // namespace eudiplo_sse
