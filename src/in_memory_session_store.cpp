#include "eudiplo_sse/in_memory_session_store.hpp"

#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_map>

#include "eudiplo_sse/detail/session_key.hpp"
#include "eudiplo_sse/error.hpp"
#include "tenant_live_counts.hpp"

namespace eudiplo_sse {

namespace {

// A moment a session needs attention: its expiry, or the end of its retention.
struct Deadline {
  TimePoint at;
  std::string key;
  bool purge;  // false: expire it; true: drop it from memory
  bool operator>(const Deadline& other) const { return at > other.at; }
};

}  // namespace

struct InMemorySessionStore::Shard {
  mutable std::mutex mutex;
  std::unordered_map<std::string, Session> sessions;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> deadlines;
};

InMemorySessionStore::InMemorySessionStore(InMemorySessionStoreOptions options)
    : options_(options), live_(std::make_unique<detail::TenantLiveCounts>()) {
  if (options_.shard_count == 0) options_.shard_count = 1;
  shards_.reset(new Shard[options_.shard_count]);
}

InMemorySessionStore::~InMemorySessionStore() = default;

InMemorySessionStore::Shard& InMemorySessionStore::shard_for(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % options_.shard_count];
}

std::error_code InMemorySessionStore::create(const Session& session) {
  return create_capped(session, 0);
}

std::error_code InMemorySessionStore::create_capped(const Session& session, std::size_t max_live) {
  if (!is_valid_session_id(session.id)) return error::invalid_session_id;
  // The slot is taken before the insert and given back if the insert fails, so
  // the count never nests inside a shard's lock and never undercounts.
  const bool counted = !is_terminal(session.status);
  if (counted && !live_->acquire(session.tenant, max_live)) return error::tenant_session_limit;
  std::string key = detail::session_key(session.tenant, session.id);
  Shard& shard = shard_for(key);
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto [it, inserted] = shard.sessions.try_emplace(key, session);
    if (inserted) {
      shard.deadlines.push({session.expires_at, std::move(key), false});
      return {};
    }
  }
  if (counted) live_->release(session.tenant);
  return error::session_exists;
}

std::size_t InMemorySessionStore::live_sessions(std::string_view tenant) const {
  return live_->count(tenant);
}

std::optional<Session> InMemorySessionStore::get(std::string_view tenant, std::string_view id) {
  if (!is_valid_session_id(id)) return std::nullopt;
  const std::string key = detail::session_key(tenant, id);
  Shard& shard = shard_for(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.sessions.find(key);
  if (it == shard.sessions.end()) return std::nullopt;
  return it->second;
}

TransitionResult InMemorySessionStore::transition(std::string_view tenant, std::string_view id,
                                                  SessionStatus to, TimePoint now) {
  TransitionResult result = transition_locked(tenant, id, to, now);
  // A change can only leave the live set (terminal is final), so a changed
  // session that is now terminal gives its tenant's slot back, outside the lock.
  if (result.changed && is_terminal(result.session.status)) live_->release(tenant);
  return result;
}

TransitionResult InMemorySessionStore::transition_locked(std::string_view tenant,
                                                         std::string_view id, SessionStatus to,
                                                         TimePoint now) {
  TransitionResult result;
  if (!is_valid_session_id(id)) {
    result.error = error::session_not_found;
    return result;
  }
  const std::string key = detail::session_key(tenant, id);
  Shard& shard = shard_for(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.sessions.find(key);
  if (it == shard.sessions.end()) {
    result.error = error::session_not_found;
    return result;
  }
  Session& s = it->second;
  auto change = [&](SessionStatus status) {
    s.status = status;
    ++s.version;
    s.updated_at = now;
    result.changed = true;
  };
  if (s.status == to) {
    // No-op, even for terminal statuses: repeating a request must be harmless.
  } else if (is_terminal(s.status)) {
    result.error = error::session_terminal;
  } else if (now >= s.expires_at) {
    // Past its deadline but not yet swept: it is expired, whatever arrives late.
    change(SessionStatus::expired);
    if (to != SessionStatus::expired) result.error = error::session_terminal;
  } else if (!is_allowed_transition(s.status, to)) {
    result.error = error::invalid_transition;
  } else {
    change(to);
  }
  result.session = s;
  return result;
}

std::vector<Session> InMemorySessionStore::expire_due(TimePoint now) {
  std::vector<Session> expired;
  for (std::size_t i = 0; i < options_.shard_count; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard<std::mutex> lock(shard.mutex);
    while (!shard.deadlines.empty() && shard.deadlines.top().at <= now) {
      Deadline d = shard.deadlines.top();
      shard.deadlines.pop();
      auto it = shard.sessions.find(d.key);
      if (it == shard.sessions.end()) continue;
      Session& s = it->second;
      if (d.purge) {
        shard.sessions.erase(it);
        continue;
      }
      if (!is_terminal(s.status)) {
        s.status = SessionStatus::expired;
        ++s.version;
        s.updated_at = now;
        expired.push_back(s);
      }
      shard.deadlines.push({s.expires_at + options_.retention, std::move(d.key), true});
    }
  }
  for (const Session& s : expired) live_->release(s.tenant);
  return expired;
}

std::size_t InMemorySessionStore::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < options_.shard_count; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mutex);
    n += shards_[i].sessions.size();
  }
  return n;
}

}  // namespace eudiplo_sse

namespace eudiplo_sse {

std::array<std::size_t, session_status_count> InMemorySessionStore::count_by_status() const {
  std::array<std::size_t, session_status_count> counts{};
  for (std::size_t i = 0; i < options_.shard_count; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mutex);
    for (const auto& kv : shards_[i].sessions) ++counts[static_cast<std::size_t>(kv.second.status)];
  }
  return counts;
}

}  // namespace eudiplo_sse
