// Where sessions live. The library ships InMemorySessionStore; a host with its own
// database implements this interface (see docs/integration.md).
//
// Implementations must be safe to call from many threads, and must apply
// transitions as compare-and-set on the stored status, so that a terminal
// status is final however requests race.
#pragma once

#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/session.hpp"

namespace eudiplo_sse {

struct TransitionResult {
  // error::session_not_found, error::session_terminal (the session is already
  // final), error::invalid_transition (e.g. back to active); empty on success.
  std::error_code error;
  // True when the stored session changed (and subscribers must hear of it).
  // Can be true with an error: a session found past its expiry is moved to
  // expired first, and the requested change is then refused as terminal.
  bool changed = false;
  // The session as stored after the call (when found).
  Session session;
};

class EUDIPLO_SSE_EXPORT SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Stores a new session. error::invalid_session_id, error::session_exists.
  virtual std::error_code create(const Session& session) = 0;

  // The session if it exists and belongs to `tenant`; another tenant's session
  // is indistinguishable from a missing one.
  virtual std::optional<Session> get(std::string_view tenant, std::string_view id) = 0;

  // Compare-and-set status change. Setting the current status is a no-op
  // (no error, changed == false).
  virtual TransitionResult transition(std::string_view tenant, std::string_view id,
                                      SessionStatus to, TimePoint now) = 0;

  // Moves every non-terminal session whose expires_at <= now to expired and
  // returns them as changed. May also drop sessions long past their end.
  virtual std::vector<Session> expire_due(TimePoint now) = 0;
};

}  // namespace eudiplo_sse
