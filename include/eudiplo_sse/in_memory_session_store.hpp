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

struct InMemorySessionStoreOptions {
  std::size_t shard_count = 64;
  std::chrono::seconds retention{3600};
};

class EUDIPLO_SSE_EXPORT InMemorySessionStore final : public SessionStore {
 public:
  explicit InMemorySessionStore(InMemorySessionStoreOptions options = {});
  ~InMemorySessionStore() override;

  std::error_code create(const Session& session) override;
  std::optional<Session> get(std::string_view tenant, std::string_view id) override;
  TransitionResult transition(std::string_view tenant, std::string_view id, SessionStatus to,
                              TimePoint now) override;
  std::vector<Session> expire_due(TimePoint now) override;

  std::size_t size() const;

  // Number of stored sessions per status, indexed by SessionStatus (for metrics).
  // Walks every session: meant for a scrape every few seconds, not a hot path.
  std::array<std::size_t, session_status_count> count_by_status() const;

 private:
  struct Shard;
  Shard& shard_for(std::string_view key) const;
  InMemorySessionStoreOptions options_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace eudiplo_sse
