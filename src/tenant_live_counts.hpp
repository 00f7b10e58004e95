// How many live (not terminal) sessions each tenant holds in an
// InMemorySessionStore, for the per-tenant cap of create_capped().
//
// Kept apart from the session shards on purpose: a tenant's sessions are spread
// over every shard, so counting them there would mean locking all of them. The
// counts have their own shards (by tenant), and the store never holds a session
// shard's lock while it takes a count's lock, so the two never nest.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace eudiplo_sse::detail {

class TenantLiveCounts {
 public:
  explicit TenantLiveCounts(std::size_t shard_count = 16);

  // Takes a slot for one more live session of `tenant`, unless it already holds
  // `max_live` (0 = no cap: always taken). False when refused.
  bool acquire(std::string_view tenant, std::size_t max_live);
  // Gives a slot back (the session became terminal, or its insert failed).
  void release(std::string_view tenant);
  std::size_t count(std::string_view tenant) const;

 private:
  struct Shard {
    mutable std::mutex mutex;
    // A tenant without live sessions has no entry, so the map stays bounded by
    // the tenants that hold sessions now.
    std::unordered_map<std::string, std::size_t> live;
  };
  Shard& shard_for(std::string_view tenant) const;

  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace eudiplo_sse::detail
