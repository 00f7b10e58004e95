// Where sessions live. The library ships InMemorySessionStore; a host with its own
// database implements this interface (the contract for host stores:
// docs/integration.md, "Host-written stores").
//
// Implementations must be safe to call from many threads, and must apply
// transitions as compare-and-set on the stored status, so that a terminal
// status is final however requests race.
//
// Two ways in, one meaning:
// - the synchronous calls (create, get, transition, expire_due) return the
//   result on the caller's thread. They suit stores in this process's memory;
//   a store across the network implements them by waiting for its reply, so
//   they may block for up to that store's bounded wait (never call them on an
//   I/O thread of a network store; RedisSessionStore documents its bound).
// - the completion-based calls (async_*) hand the result to a handler. A store
//   in memory runs the handler inline, before async_* returns (the defaults
//   below do exactly that); a network store runs it later on its own thread.
//   Handlers must be short, must not throw, and must not block: post work to
//   your own executor if it is long. Every async_* call runs its handler
//   exactly once, also on failure (error::store_unavailable when the store
//   cannot answer within its bounded wait).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/session.hpp"

namespace eudiplo_sse {

struct TransitionResult {
  // error::session_not_found, error::session_terminal (the session is already
  // final), error::invalid_transition (e.g. back to active),
  // error::store_unavailable (network stores); empty on success.
  std::error_code error;
  // True when the stored session changed (and subscribers must hear of it).
  // Can be true with an error: a session found past its expiry is moved to
  // expired first, and the requested change is then refused as terminal.
  bool changed = false;
  // The session as stored after the call (when found).
  Session session;
};

// Completion handlers of the async_* calls. Each runs exactly once.
// GetHandler: no error and std::nullopt means "no such session for this tenant";
// an error (store_unavailable) means the store could not tell.
using CreateHandler = std::function<void(std::error_code)>;
using GetHandler = std::function<void(std::error_code, std::optional<Session>)>;
using TransitionHandler = std::function<void(TransitionResult)>;
using ExpireHandler = std::function<void(std::error_code, std::vector<Session>)>;

class EUDIPLO_SSE_EXPORT SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Stores a new session. error::invalid_session_id, error::session_exists.
  virtual std::error_code create(const Session& session) = 0;

  // The session if it exists and belongs to `tenant`; another tenant's session
  // is indistinguishable from a missing one. A network store that cannot answer
  // returns std::nullopt here; use async_get to tell "missing" from "unavailable".
  virtual std::optional<Session> get(std::string_view tenant, std::string_view id) = 0;

  // Compare-and-set status change. Setting the current status is a no-op
  // (no error, changed == false).
  virtual TransitionResult transition(std::string_view tenant, std::string_view id,
                                      SessionStatus to, TimePoint now) = 0;

  // Moves every non-terminal session whose expires_at <= now to expired and
  // returns them as changed. May also drop sessions long past their end.
  virtual std::vector<Session> expire_due(TimePoint now) = 0;

  // Stores a new session unless its tenant already holds `max_live` live
  // sessions (live: not in a terminal status; a session past its expiry may
  // count until expire_due() or a transition marks it expired). The count and the
  // insert are one atomic step, also across processes sharing a network store.
  // max_live == 0 means no cap (the same as create()). Beyond the cap:
  // error::tenant_session_limit. The default implementation cannot count, so it
  // answers error::session_limit_unsupported for any cap; InMemorySessionStore
  // and RedisSessionStore override it.
  virtual std::error_code create_capped(const Session& session, std::size_t max_live);
  virtual void async_create_capped(const Session& session, std::size_t max_live,
                                   CreateHandler handler);

  // Completion-based forms of the four calls above. The defaults complete inline
  // through the synchronous calls, which is right for in-memory stores; network
  // stores override them. The string_views need only live until the call returns.
  virtual void async_create(const Session& session, CreateHandler handler);
  virtual void async_get(std::string_view tenant, std::string_view id, GetHandler handler);
  virtual void async_transition(std::string_view tenant, std::string_view id, SessionStatus to,
                                TimePoint now, TransitionHandler handler);
  virtual void async_expire_due(TimePoint now, ExpireHandler handler);
};

}  // namespace eudiplo_sse
