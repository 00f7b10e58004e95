#include "jwt_cache.hpp"

#include <algorithm>

namespace eudiplo_sse::detail {
namespace {
constexpr std::size_t kMaxShards = 16;
}

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity) {
  if (capacity == 0) return;
  shard_count_ = std::min(kMaxShards, capacity);
  shard_capacity_ = capacity / shard_count_;  // the total never exceeds `capacity`
  shards_ = std::make_unique<Shard[]>(shard_count_);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].entries.reserve(shard_capacity_);
    shards_[i].order.reserve(shard_capacity_);
  }
}

VerifiedTokenCache::Shard& VerifiedTokenCache::shard_for(const Digest& digest) const noexcept {
  // A byte the in-shard hash (the first eight) does not use, so shards stay balanced.
  return shards_[digest[31] % shard_count_];
}

bool VerifiedTokenCache::find(const Digest& digest, TimePoint now, Principal& principal) const {
  if (!enabled()) return false;
  Shard& shard = shard_for(digest);
  std::lock_guard<std::mutex> lock(shard.mutex);
  const auto it = shard.entries.find(digest);
  if (it == shard.entries.end()) return false;
  if (now >= it->second.valid_until) {
    shard.entries.erase(it);  // its ring slot goes stale and is recycled in turn
    return false;
  }
  if (now < it->second.valid_from) return false;
  principal = it->second.principal;
  return true;
}

void VerifiedTokenCache::insert(const Digest& digest, TimePoint valid_from, TimePoint valid_until,
                                const Principal& principal) {
  if (!enabled()) return;
  Shard& shard = shard_for(digest);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto [it, inserted] = shard.entries.try_emplace(digest);
  it->second = Entry{principal, valid_from, valid_until};
  if (!inserted) return;
  if (shard.order.size() < shard_capacity_) {
    shard.order.push_back(digest);
    return;
  }
  // Evict the oldest insertion (a no-op when it already expired and was dropped).
  const Digest victim = shard.order[shard.next];
  if (victim != digest) shard.entries.erase(victim);
  shard.order[shard.next] = digest;
  shard.next = (shard.next + 1) % shard_capacity_;
}

}  // namespace eudiplo_sse::detail
