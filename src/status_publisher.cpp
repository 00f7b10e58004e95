#include "eudiplo_sse/status_publisher.hpp"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "eudiplo_sse/detail/session_key.hpp"

namespace eudiplo_sse {
namespace detail {

// How many deliveries the current thread is inside. A cancel() from inside any
// callback must not wait for another subscriber's delivery: that one may be
// waiting for this one (A drops B while B drops A) and neither would return.
thread_local int delivery_depth = 0;

// One subscriber's mailbox: a single slot holding the newest undelivered event,
// drained by whichever thread finds it idle. Holding one slot is what bounds
// memory for slow subscribers; draining by one thread at a time is what keeps
// deliveries ordered without holding a lock across the callback.
class Subscriber {
 public:
  Subscriber(StatusPublisher::Callback callback, std::string key)
      : key_(std::move(key)), callback_(std::move(callback)) {}

  const std::string& key() const noexcept { return key_; }

  // Index in its topic's member list; read and written only under the shard lock.
  std::size_t slot = 0;

  void offer(const StatusEventPtr& event) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (cancelled_ || !event || event->version <= newest_) return;
    newest_ = event->version;
    pending_ = event;
    if (delivering_) return;  // the thread draining the slot will pick it up

    delivering_ = true;
    deliverer_ = std::this_thread::get_id();
    while (pending_ && !cancelled_) {
      StatusEventPtr next = std::move(pending_);
      pending_.reset();
      lock.unlock();
      ++delivery_depth;
      try {
        callback_(next);
      } catch (...) {
        // A subscriber's failure must not break the publisher or its peers.
      }
      --delivery_depth;
      lock.lock();
    }
    delivering_ = false;
    deliverer_ = std::thread::id();
    StatusPublisher::Callback dead;
    if (cancelled_) dead = std::move(callback_);
    lock.unlock();
    // `dead` (and whatever it captured) is destroyed here, outside the lock.
  }

  // Stops deliveries. Waits for a delivery running on another thread, so that
  // the callback's captures may be destroyed right after; returns at once when
  // called from inside the callback itself.
  //
  // The wait yields instead of sleeping on a condition variable: callbacks are
  // short by contract, the wait is rare, and a condition variable would cost
  // 48 bytes in every one of tens of thousands of idle subscribers.
  void cancel() {
    StatusPublisher::Callback dead;
    std::unique_lock<std::mutex> lock(mutex_);
    cancelled_ = true;
    pending_.reset();
    if (delivering_) {
      // From inside a callback (this one's or another's), mark and return; the
      // running delivery stops after its current callback and drops it.
      if (deliverer_ == std::this_thread::get_id() || delivery_depth > 0) return;
      while (delivering_) {
        lock.unlock();
        std::this_thread::yield();
        lock.lock();
      }
    }
    dead = std::move(callback_);
    lock.unlock();
  }

 private:
  const std::string key_;
  std::mutex mutex_;
  StatusEventPtr pending_;
  std::uint64_t newest_ = 0;  // highest version accepted (delivered or pending)
  bool delivering_ = false;
  bool cancelled_ = false;
  std::thread::id deliverer_;
  StatusPublisher::Callback callback_;
};

using SubscriberList = std::vector<std::shared_ptr<Subscriber>>;

// The subscribers of one session. Joining and leaving are O(1): `members` is
// unordered, each subscriber remembers its slot, and a leave moves the last member
// into the freed slot. A publish must deliver outside the shard lock, so it needs a
// list that nobody mutates meanwhile: `snapshot`, built from `members` by the first
// publish after a change and shared by every publish until the next change. The
// O(N) build is paid by a publish that delivers to N subscribers anyway, and at most
// once per change, so joins and leaves stay O(1) amortized however many streams
// follow one session (copying the list on every join made N joins cost O(N^2) under
// a lock that 1/64 of all sessions share).
struct Topic {
  SubscriberList members;
  std::shared_ptr<const SubscriberList> snapshot;  // null: stale, rebuilt on publish
};

// Subscribers of one shard's sessions.
struct PublisherShard {
  std::mutex mutex;
  std::unordered_map<std::string, Topic> topics;
};

class PublisherCore {
 public:
  explicit PublisherCore(std::size_t shards)
      : shard_count_(shards == 0 ? 1 : shards), shards_(new PublisherShard[shard_count_]) {}

  PublisherShard& shard_for(const std::string& key) {
    return shards_[std::hash<std::string>{}(key) % shard_count_];
  }

  void add(const std::shared_ptr<Subscriber>& sub) {
    std::shared_ptr<const SubscriberList> stale;  // released after the lock
    PublisherShard& shard = shard_for(sub->key());
    std::lock_guard<std::mutex> lock(shard.mutex);
    Topic& topic = shard.topics[sub->key()];
    sub->slot = topic.members.size();
    topic.members.push_back(sub);
    stale = std::move(topic.snapshot);
    count_.fetch_add(1, std::memory_order_relaxed);
  }

  void remove(const std::shared_ptr<Subscriber>& sub) {
    std::shared_ptr<const SubscriberList> stale;
    {
      PublisherShard& shard = shard_for(sub->key());
      std::lock_guard<std::mutex> lock(shard.mutex);
      auto it = shard.topics.find(sub->key());
      if (it != shard.topics.end()) {
        SubscriberList& members = it->second.members;
        const std::size_t slot = sub->slot;
        if (slot < members.size() && members[slot] == sub) {
          if (slot + 1 != members.size()) {
            members[slot] = std::move(members.back());
            members[slot]->slot = slot;
          }
          members.pop_back();
          // Give back memory after a crowd left (amortized O(1): the copy is of at
          // most a quarter of the capacity that many joins built up).
          if (members.capacity() > 64 && members.size() < members.capacity() / 4) {
            members.shrink_to_fit();
          }
          stale = std::move(it->second.snapshot);
          count_.fetch_sub(1, std::memory_order_relaxed);
          if (members.empty()) shard.topics.erase(it);
        }
      }
    }
    stale.reset();
    sub->cancel();
  }

  std::shared_ptr<const SubscriberList> subscribers(const std::string& key) {
    PublisherShard& shard = shard_for(key);
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.topics.find(key);
    if (it == shard.topics.end()) return nullptr;
    Topic& topic = it->second;
    if (!topic.snapshot) topic.snapshot = std::make_shared<const SubscriberList>(topic.members);
    return topic.snapshot;
  }

  std::size_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::size_t shard_count_;
  std::unique_ptr<PublisherShard[]> shards_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace detail

StatusPublisher::Subscription::Subscription(std::shared_ptr<detail::PublisherCore> core,
                                            std::shared_ptr<detail::Subscriber> subscriber)
    : core_(core), subscriber_(std::move(subscriber)) {}

StatusPublisher::Subscription::Subscription(Subscription&& other) noexcept
    : core_(std::move(other.core_)), subscriber_(std::move(other.subscriber_)) {}

StatusPublisher::Subscription& StatusPublisher::Subscription::operator=(
    Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    core_ = std::move(other.core_);
    subscriber_ = std::move(other.subscriber_);
  }
  return *this;
}

StatusPublisher::Subscription::~Subscription() { reset(); }

void StatusPublisher::Subscription::reset() {
  auto sub = std::move(subscriber_);
  subscriber_.reset();
  if (!sub) return;
  if (auto core = core_.lock()) {
    core->remove(sub);
  } else {
    sub->cancel();
  }
  core_.reset();
}

StatusPublisher::StatusPublisher(std::size_t shard_count)
    : core_(std::make_shared<detail::PublisherCore>(shard_count)) {}

StatusPublisher::~StatusPublisher() = default;

StatusPublisher::Subscription StatusPublisher::subscribe(std::string_view tenant,
                                                         std::string_view session_id,
                                                         Callback callback, const Loader& load) {
  auto sub = std::make_shared<detail::Subscriber>(std::move(callback),
                                                  detail::session_key(tenant, session_id));
  // Register first, read second: a change committed after the read is published
  // after registration, so it reaches this subscriber; one committed before the
  // read is in what the loader returns. Versions order whichever comes twice.
  core_->add(sub);
  Subscription subscription(core_, sub);
  if (load) {
    if (StatusEventPtr current = load()) sub->offer(current);
  }
  return subscription;
}

void StatusPublisher::publish(const StatusEventPtr& event) {
  if (!event) return;
  auto list = core_->subscribers(detail::session_key(event->tenant, event->session_id));
  if (!list) return;
  for (const auto& sub : *list) sub->offer(event);
}

std::size_t StatusPublisher::subscriber_count() const { return core_->count(); }

}  // namespace eudiplo_sse
