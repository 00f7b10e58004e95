#include "publisher_core.hpp"

#include <functional>
#include <utility>

namespace eudiplo_sse::detail {

std::size_t session_hash(std::string_view tenant, std::string_view id) noexcept {
  const std::size_t h = std::hash<std::string_view>{}(id);
  return h ^ (std::hash<std::string_view>{}(tenant) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2));
}

Subscriber::Subscriber(std::weak_ptr<PublisherCore> core, const char* key,
                       std::size_t tenant_size, std::size_t id_size) noexcept
    : core_(std::move(core)),
      key_(key),
      tenant_size_(static_cast<std::uint32_t>(tenant_size)),
      id_size_(static_cast<std::uint32_t>(id_size)),
      hash_(session_hash(tenant(), session_id())) {}

Subscriber::~Subscriber() {
  // Normally removed before: only a subscriber dropped while still in a session gets
  // here linked. A publish cannot be delivering to it (that would hold a strong
  // reference), and one building a snapshot skips it (its strong count is 0).
  if (auto core = core_.lock()) core->unlink(*this);
}

PublisherCore::PublisherCore(std::size_t shards)
    : shard_count_(shards == 0 ? 1 : shards), shards_(new Shard[shard_count_]) {}

Subscriber* PublisherCore::find_head_locked(Shard& shard, std::size_t hash,
                                            std::string_view tenant,
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

void PublisherCore::add(Subscriber& sub) {
  std::shared_ptr<const Subscriber::List> stale;  // released after the lock
  Shard& shard = shard_for(sub.hash_);
  std::lock_guard<std::mutex> lock(shard.mutex);
  Subscriber* head = find_head_locked(shard, sub.hash_, sub.tenant(), sub.session_id());
  if (head == nullptr) {
    sub.ring_prev_ = sub.ring_next_ = &sub;
    sub.members_ = 1;
    insert_head_locked(shard, sub);
  } else {
    // Into the ring just after the head: O(1) however many follow the session.
    sub.ring_prev_ = head;
    sub.ring_next_ = head->ring_next_;
    head->ring_next_->ring_prev_ = &sub;
    head->ring_next_ = &sub;
    ++head->members_;
    stale = std::move(head->snapshot_);
  }
  count_.fetch_add(1, std::memory_order_relaxed);
}

bool PublisherCore::unlink_locked(Shard& shard, Subscriber& sub,
                                  std::shared_ptr<const Subscriber::List>& stale) {
  if (sub.ring_next_ == nullptr) return false;
  Subscriber* head = find_head_locked(shard, sub.hash_, sub.tenant(), sub.session_id());
  if (sub.ring_next_ == &sub) {
    replace_head_locked(shard, sub, nullptr);  // the session's last subscriber
  } else {
    Subscriber* next = sub.ring_next_;
    sub.ring_prev_->ring_next_ = next;
    next->ring_prev_ = sub.ring_prev_;
    if (head == &sub) {
      next->members_ = sub.members_ - 1;
      replace_head_locked(shard, sub, next);
      stale = std::move(sub.snapshot_);
    } else {
      --head->members_;
      stale = std::move(head->snapshot_);
    }
  }
  sub.ring_prev_ = sub.ring_next_ = nullptr;
  sub.members_ = 0;
  count_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void PublisherCore::unlink(Subscriber& sub) {
  std::shared_ptr<const Subscriber::List> stale;
  Shard& shard = shard_for(sub.hash_);
  std::lock_guard<std::mutex> lock(shard.mutex);
  unlink_locked(shard, sub, stale);
  // `stale` cannot hold `sub` (its strong count is what got a destructor here).
}

void PublisherCore::remove(Subscriber& sub) {
  std::shared_ptr<const Subscriber::List> stale;
  {
    Shard& shard = shard_for(sub.hash_);
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (!unlink_locked(shard, sub, stale)) return;
  }
  stale.reset();
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
    if (head->members_ == 1) {
      // The common case (one stream per session) needs no list at all. A
      // subscriber being destroyed is still linked until its destructor unlinks
      // it: lock() then fails and it is skipped.
      one = head->weak_from_this().lock();
    } else {
      if (!head->snapshot_) {
        auto fresh = std::make_shared<Subscriber::List>();
        fresh->reserve(head->members_);
        Subscriber* s = head;
        do {
          if (auto strong = s->weak_from_this().lock()) fresh->push_back(std::move(strong));
          s = s->ring_next_;
        } while (s != head);
        head->snapshot_ = std::move(fresh);
      }
      list = head->snapshot_;
    }
  }
  if (one) one->offer(event);
  if (list) {
    for (const auto& sub : *list) sub->offer(event);
  }
}

}  // namespace eudiplo_sse::detail
