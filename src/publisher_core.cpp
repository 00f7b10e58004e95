#include "publisher_core.hpp"

#include <functional>
#include <utility>

namespace eudiplo_sse::detail {

std::size_t session_hash(std::string_view tenant, std::string_view id) noexcept {
  const std::size_t h = std::hash<std::string_view>{}(id);
  return h ^ (std::hash<std::string_view>{}(tenant) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2));
}

Subscriber::Subscriber(const char* key, std::size_t tenant_size, std::size_t id_size) noexcept
    : key_(key),
      tenant_size_(static_cast<std::uint32_t>(tenant_size)),
      id_size_(static_cast<std::uint32_t>(id_size)),
      hash_(session_hash(tenant(), session_id())) {}

std::shared_ptr<Subscriber> strong_or_null(Subscriber& sub) noexcept {
  // shared_from_this() is one atomic operation where weak_from_this().lock() is
  // three; it throws only for a subscriber whose destructor is waiting for the
  // shard lock to unlink itself (a race, never the common path).
  try {
    return sub.shared_from_this();
  } catch (const std::bad_weak_ptr&) {
    return nullptr;
  }
}

namespace {

std::size_t power_of_two_at_least(std::size_t n) noexcept {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

PublisherCore::PublisherCore(std::size_t shards)
    : shard_mask_(power_of_two_at_least(shards) - 1), shards_(new Shard[shard_mask_ + 1]) {}

Subscriber* PublisherCore::find_head_locked(Shard& shard, std::size_t hash, std::string_view tenant,
                                            std::string_view id) noexcept {
  if (shard.buckets.empty()) return nullptr;
  for (Subscriber* s = shard.buckets[bucket_for(shard, hash)]; s != nullptr; s = s->bucket_next_) {
    if (s->hash_ == hash && s->session_id() == id && s->tenant() == tenant) return s;
  }
  return nullptr;
}

void PublisherCore::insert_head_locked(Shard& shard, Subscriber& head) {
  if (shard.topics + 1 > shard.buckets.size()) {
    // Grow (and rehash) at load factor 1: amortized O(1) per topic.
    std::vector<Subscriber*> old = std::move(shard.buckets);
    shard.buckets.assign(old.empty() ? 8 : old.size() * 2, nullptr);
    for (Subscriber* s : old) {
      while (s != nullptr) {
        Subscriber* next = s->bucket_next_;
        Subscriber*& bucket = shard.buckets[bucket_for(shard, s->hash_)];
        s->bucket_next_ = bucket;
        bucket = s;
        s = next;
      }
    }
  }
  Subscriber*& bucket = shard.buckets[bucket_for(shard, head.hash_)];
  head.bucket_next_ = bucket;
  bucket = &head;
  ++shard.topics;
}

void PublisherCore::replace_head_locked(Shard& shard, Subscriber& old_head,
                                        Subscriber* new_head) noexcept {
  Subscriber** at = &shard.buckets[bucket_for(shard, old_head.hash_)];
  while (*at != &old_head) at = &(*at)->bucket_next_;
  if (new_head != nullptr) {
    new_head->bucket_next_ = old_head.bucket_next_;
    *at = new_head;
  } else {
    *at = old_head.bucket_next_;
    --shard.topics;
  }
  old_head.bucket_next_ = nullptr;
}

std::size_t PublisherCore::add(const std::shared_ptr<Subscriber>& strong) {
  Subscriber::Released released;  // dropped after the lock
  Subscriber& sub = *strong;
  Shard& shard = shard_for(sub.hash_);
  std::lock_guard<std::mutex> lock(shard.mutex);
  Subscriber* head = find_head_locked(shard, sub.hash_, sub.tenant(), sub.session_id());
  if (head != nullptr && !head->crowd_) {
    // The session's second subscriber: the head joins the crowd it now owns. A
    // head being destroyed (waiting for this lock to unlink itself) is unlinked
    // here instead, and the newcomer takes its place.
    if (auto head_ref = strong_or_null(*head)) {
      head->crowd_ = std::make_unique<Subscriber::Crowd>();
      head->slot_ = 0;
      head->crowd_->members.push_back(std::move(head_ref));
    } else {
      unlink_locked(shard, *head, released);
      head = nullptr;
    }
  }
  std::size_t followers = 1;
  if (head == nullptr) {
    sub.slot_ = 0;
    insert_head_locked(shard, sub);
  } else {
    Subscriber::List& members = head->crowd_->members;
    sub.slot_ = static_cast<std::uint32_t>(members.size());
    members.push_back(strong);
    followers = members.size();
    released.snapshot = std::move(head->crowd_->snapshot);
  }
  sub.linked_.store(true, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  return followers;
}

bool PublisherCore::unlink_locked(Shard& shard, Subscriber& sub, Subscriber::Released& released) {
  if (!sub.linked_.load(std::memory_order_relaxed)) return false;
  Subscriber* head = find_head_locked(shard, sub.hash_, sub.tenant(), sub.session_id());
  if (!head->crowd_ || head->crowd_->members.size() == 1) {
    // The session's last subscriber (the head): the session leaves the table.
    replace_head_locked(shard, sub, nullptr);
    released.crowd = std::move(sub.crowd_);
  } else {
    // Swap with the last member: O(1) however many follow the session.
    Subscriber::List& members = head->crowd_->members;
    const std::uint32_t slot = sub.slot_;
    released.member = std::move(members[slot]);
    if (slot + 1 != members.size()) {
      members[slot] = std::move(members.back());
      members[slot]->slot_ = slot;
    }
    members.pop_back();
    released.snapshot = std::move(head->crowd_->snapshot);
    if (head == &sub) {
      // The head leaves: another member takes its place in the table, with the crowd.
      Subscriber* next = members.front().get();
      next->crowd_ = std::move(sub.crowd_);
      replace_head_locked(shard, sub, next);
      head = next;
    }
    if (members.capacity() > 64 && members.size() < members.capacity() / 4) {
      // Give back memory after a crowd left (amortized O(1): the copy is of at
      // most a quarter of the capacity that many joins built up).
      members.shrink_to_fit();
    }
  }
  sub.linked_.store(false, std::memory_order_release);
  count_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void PublisherCore::unlink(Subscriber& sub) {
  Subscriber::Released released;
  Shard& shard = shard_for(sub.hash_);
  std::lock_guard<std::mutex> lock(shard.mutex);
  unlink_locked(shard, sub, released);
  // Only a subscriber outside any crowd is destroyed while linked (a crowd holds
  // its members), so `released` holds no reference to anything being destroyed.
}

void PublisherCore::remove(Subscriber& sub) {
  Subscriber::Released released;  // dropped last: it may hold `sub` itself
  {
    Shard& shard = shard_for(sub.hash_);
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (!unlink_locked(shard, sub, released)) return;
  }
  sub.cancel();
}

void PublisherCore::deliver(const StatusEventPtr& event) {
  const std::size_t hash = session_hash(event->tenant, event->session_id);
  Shard& shard = shard_for(hash);
  std::shared_ptr<Subscriber> one;
  std::shared_ptr<const Subscriber::List> list;
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    Subscriber* head = find_head_locked(shard, hash, event->tenant, event->session_id);
    if (head == nullptr) return;
    if (!head->crowd_) {
      // The common case (one stream per session) needs no list at all.
      one = strong_or_null(*head);
    } else if (head->crowd_->members.size() == 1) {
      one = head->crowd_->members.front();
    } else {
      Subscriber::Crowd& crowd = *head->crowd_;
      if (!crowd.snapshot) crowd.snapshot = std::make_shared<const Subscriber::List>(crowd.members);
      list = crowd.snapshot;
    }
  }
  if (one) one->offer(event);
  if (list) {
    for (const auto& sub : *list) sub->offer(event);
  }
}

}  // namespace eudiplo_sse::detail
