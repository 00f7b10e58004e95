// The default SessionStore: sessions in this process's memory.
//
// Sessions are spread over independently locked shards by a hash of their key,
// so transitions on different sessions from different threads rarely contend.
// Each shard keeps its sessions ordered by deadline, so expire_due() touches only
// the sessions that are due.
//
// Memory is bounded by dropping a session `retention` after its expiry time
// (GET then answers 404); until then it can still be read.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/session_store.hpp"

namespace eudiplo_sse {

namespace detail {
class TenantLiveCounts;
}

struct InMemorySessionStoreOptions {
  std::size_t shard_count = 64;
  std::chrono::seconds retention{3600};
};

class EUDIPLO_SSE_EXPORT InMemorySessionStore final : public SessionStore {
 public:
  explicit InMemorySessionStore(InMemorySessionStoreOptions options = {});
  ~InMemorySessionStore() override;

  std::error_code create(const Session& session) override;
  // Counts each tenant's live sessions as they are created and become terminal,
  // so the cap costs one small lock per create, never a walk of the sessions.
  std::error_code create_capped(const Session& session, std::size_t max_live) override;
  std::optional<Session> get(std::string_view tenant, std::string_view id) override;
  TransitionResult transition(std::string_view tenant, std::string_view id, SessionStatus to,
                              TimePoint now) override;
  std::vector<Session> expire_due(TimePoint now) override;

  std::size_t size() const;
  // Live (not terminal) sessions of `tenant`, as the cap counts them.
  std::size_t live_sessions(std::string_view tenant) const;

  // Number of stored sessions per status, indexed by SessionStatus (for metrics).
  // Walks every session: meant for a scrape every few seconds, not a hot path.
  std::array<std::size_t, session_status_count> count_by_status() const;

 private:
  struct Shard;
  Shard& shard_for(std::string_view key) const;
  // The compare-and-set of transition(), under the session's shard lock.
  TransitionResult transition_locked(std::string_view tenant, std::string_view id, SessionStatus to,
                                     TimePoint now);
  InMemorySessionStoreOptions options_;
  std::unique_ptr<Shard[]> shards_;
  std::unique_ptr<detail::TenantLiveCounts> live_;
};

}  // namespace eudiplo_sse
