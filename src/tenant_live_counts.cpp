#include "tenant_live_counts.hpp"

#include <functional>

namespace eudiplo_sse::detail {

TenantLiveCounts::TenantLiveCounts(std::size_t shard_count)
    : shard_count_(shard_count == 0 ? 1 : shard_count), shards_(new Shard[shard_count_]) {}

TenantLiveCounts::Shard& TenantLiveCounts::shard_for(std::string_view tenant) const {
  return shards_[std::hash<std::string_view>{}(tenant) % shard_count_];
}

bool TenantLiveCounts::acquire(std::string_view tenant, std::size_t max_live) {
  Shard& shard = shard_for(tenant);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.live.find(std::string(tenant));
  const std::size_t now = it == shard.live.end() ? 0 : it->second;
  if (max_live != 0 && now >= max_live) return false;
  if (it == shard.live.end()) {
    shard.live.emplace(std::string(tenant), 1);
  } else {
    ++it->second;
  }
  return true;
}

void TenantLiveCounts::release(std::string_view tenant) {
  Shard& shard = shard_for(tenant);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.live.find(std::string(tenant));
  if (it == shard.live.end()) return;  // never counted: nothing to give back
  if (--it->second == 0) shard.live.erase(it);
}

std::size_t TenantLiveCounts::count(std::string_view tenant) const {
  Shard& shard = shard_for(tenant);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.live.find(std::string(tenant));
  return it == shard.live.end() ? 0 : it->second;
}

}  // namespace eudiplo_sse::detail
