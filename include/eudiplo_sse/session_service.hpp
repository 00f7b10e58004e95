// Store + publisher, wired so that every committed change is published: the one
// object a host calls to create sessions, change their status and expire them.
//
// Thread-safe as its store and publisher are. Changes are published after they
// are committed, which is what StatusPublisher::subscribe relies on for "no gap".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/session_store.hpp"
#include "eudiplo_sse/status_publisher.hpp"

namespace eudiplo_sse {

struct CreateResult {
  std::error_code error;
  Session session;
};

class EUDIPLO_SSE_EXPORT SessionService {
 public:
  SessionService(SessionStore& store, StatusPublisher& publisher, ClockFn clock = system_now);

  // Creates an active session; `id` empty means a fresh random UUID (v4).
  CreateResult create(std::string_view tenant, std::chrono::seconds ttl, std::string_view id = {});

  std::optional<Session> get(std::string_view tenant, std::string_view id);

  // Compare-and-set status change, published when it changed something.
  TransitionResult set_status(std::string_view tenant, std::string_view id, SessionStatus to);

  // Expires due sessions and publishes each; returns how many changed.
  // Call about once a second (contract: expiry is seen within one second).
  std::size_t expire_due();

  SessionStore& store() noexcept { return store_; }
  StatusPublisher& publisher() noexcept { return publisher_; }
  TimePoint now() const { return clock_(); }

 private:
  SessionStore& store_;
  StatusPublisher& publisher_;
  ClockFn clock_;
};

// A random UUID v4 from OpenSSL's CSPRNG, lower-case hex with dashes.
EUDIPLO_SSE_EXPORT std::string random_uuid();

}  // namespace eudiplo_sse
