// The publisher's registry of subscribers, private to src/: StatusPublisher's
// mailbox subscribers (status_publisher.cpp) and the route's streams
// (event_stream.hpp) both derive from Subscriber.
//
// Memory (issue 12): the first subscriber of a session (the topic's head) sits in
// the shard's hash table through a link inside it, so a session followed by one
// stream costs no allocation besides the subscriber's own (which holds its
// session key). A session with several subscribers keeps them in an array owned
// by its head. Joining and leaving are O(1) amortized (a hash lookup, an append or
// a swap with the last); a publish to several subscribers delivers to a snapshot
// of the array, built by the first publish after a change and shared by the
// publishes until the next change (issue 11).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"

namespace eudiplo_sse::detail {

class PublisherCore;

std::size_t session_hash(std::string_view tenant, std::string_view id) noexcept;

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  friend std::shared_ptr<Subscriber> strong_or_null(Subscriber& sub) noexcept;
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // A new event for this subscriber's session, from any thread (see StatusPublisher).
  virtual void offer(const StatusEventPtr& event) = 0;
  // Called once the subscriber has left its session: no delivery may start after it.
  virtual void cancel() = 0;

  std::string_view tenant() const noexcept { return {key_, tenant_size_}; }
  std::string_view session_id() const noexcept { return {key_ + tenant_size_, id_size_}; }

 protected:
  // `key` holds the tenant then the session id, and must live as long as the
  // subscriber (derived classes keep it in their own allocation).
  Subscriber(const char* key, std::size_t tenant_size, std::size_t id_size) noexcept;
  // A subscriber leaves its session (PublisherCore::remove) before its last
  // reference goes; one that may not must unlink itself in its own destructor.
  virtual ~Subscriber() = default;
  // Whether it is in a session. Read without the shard lock by a destructor: only
  // the subscriber itself is still using it then.
  bool linked() const noexcept { return linked_.load(std::memory_order_acquire); }

 private:
  friend class PublisherCore;
  using List = std::vector<std::shared_ptr<Subscriber>>;

  // A session that has had several subscribers: all of them, the head included,
  // and the snapshot publishes deliver to. The members are held strongly, so a
  // snapshot is a plain copy of the array (as cheap per member as before issue 12).
  // Kept while the session has subscribers, so that one joining and leaving beside
  // a stream does not allocate a crowd each time.
  struct Crowd {
    List members;
    std::shared_ptr<const List> snapshot;  // null when stale
  };
  // What leaving releases, after the shard lock (a destructor may take it again).
  struct Released {
    std::shared_ptr<const List> snapshot;
    std::shared_ptr<Subscriber> member;
    std::unique_ptr<Crowd> crowd;
  };

  // Guarded by the lock of the shard the session hashes to.
  Subscriber* bucket_next_ = nullptr;  // heads only: the next topic in the bucket
  std::unique_ptr<Crowd> crowd_;       // heads only; none (no allocation) while alone
  std::uint32_t slot_ = 0;             // index in the head's crowd
  std::atomic<bool> linked_{false};    // written under that lock too (see linked())

  const char* const key_;
  const std::uint32_t tenant_size_;
  const std::uint32_t id_size_;
  const std::size_t hash_;
};

// A strong reference to `sub` if it is not being destroyed (under the shard lock).
std::shared_ptr<Subscriber> strong_or_null(Subscriber& sub) noexcept;

class PublisherCore {
 public:
  // `shards` is rounded up to a power of two.
  explicit PublisherCore(std::size_t shards);

  // Joins the subscriber's session (`sub` must not be null); returns how many
  // subscribers the session has now, `sub` included (the route's per-session cap).
  std::size_t add(const std::shared_ptr<Subscriber>& sub);
  // Leaves it, then cancel()s the subscriber (outside the lock). Idempotent.
  void remove(Subscriber& sub);
  // Leaves it, without cancel() (for destructors).
  void unlink(Subscriber& sub);
  // Offers `event` to every subscriber of its session, outside the lock.
  void deliver(const StatusEventPtr& event);

  std::size_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

 private:
  struct Shard {
    std::mutex mutex;
    std::vector<Subscriber*> buckets;  // chains of topic heads; size a power of two
    std::size_t topics = 0;
  };
  // Low bits pick the shard, high bits the bucket: both masks, as a 64-bit division
  // per lookup was a fifth of a subscribe's cost on this CPU.
  Shard& shard_for(std::size_t hash) noexcept { return shards_[hash & shard_mask_]; }
  static std::size_t bucket_for(const Shard& shard, std::size_t hash) noexcept {
    return (hash >> (sizeof(std::size_t) * 4)) & (shard.buckets.size() - 1);
  }
  Subscriber* find_head_locked(Shard& shard, std::size_t hash, std::string_view tenant,
                               std::string_view id) noexcept;
  void insert_head_locked(Shard& shard, Subscriber& head);
  void replace_head_locked(Shard& shard, Subscriber& old_head, Subscriber* new_head) noexcept;
  // Unlinks `sub`; returns false if it was not in a session. What it lets go of
  // goes to `released`, for the caller to drop after the lock.
  bool unlink_locked(Shard& shard, Subscriber& sub, Subscriber::Released& released);

  std::size_t shard_mask_;  // the shard count (a power of two) minus one
  std::unique_ptr<Shard[]> shards_;
  std::atomic<std::size_t> count_{0};
};

// The core behind a StatusPublisher, for the route's streams.
struct PublisherAccess {
  static const std::shared_ptr<PublisherCore>& core(const StatusPublisher& publisher) noexcept {
    return publisher.core_;
  }
};

}  // namespace eudiplo_sse::detail
