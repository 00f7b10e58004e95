#include "eudiplo_sse/status_publisher.hpp"

#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "eudiplo_sse/detail/tail_allocator.hpp"
#include "publisher_core.hpp"

namespace eudiplo_sse {
namespace detail {

// How many deliveries the current thread is inside. A cancel() from inside any
// callback must not wait for another subscriber's delivery: that one may be
// waiting for this one (A drops B while B drops A) and neither would return.
thread_local int delivery_depth = 0;

// Copies the session key (tenant then id) into the subscriber's own allocation.
inline const char* place_key(char* tail, std::string_view tenant, std::string_view id) noexcept {
  if (!tenant.empty()) std::memcpy(tail, tenant.data(), tenant.size());
  if (!id.empty()) std::memcpy(tail + tenant.size(), id.data(), id.size());
  return tail;
}

// A callback subscriber's mailbox: a single slot holding the newest undelivered
// event, drained by whichever thread finds it idle. Holding one slot is what bounds
// memory for slow subscribers; draining by one thread at a time is what keeps
// deliveries ordered without holding a lock across the callback.
class CallbackSubscriber final : public Subscriber {
 public:
  // One allocation: the subscriber, its session key, and the callback when it fits
  // std::function's own buffer.
  // Its Subscription removes it from the publisher before letting go of it (or
  // the publisher is gone), so it never needs to unlink itself.
  static std::shared_ptr<CallbackSubscriber> make(std::string_view tenant, std::string_view id,
                                                  StatusPublisher::Callback callback) {
    char* tail = nullptr;
    return allocate_shared_with_tail<CallbackSubscriber>(tenant.size() + id.size(), &tail, &tail,
                                                         tenant, id, std::move(callback));
  }

  CallbackSubscriber(char* const* tail, std::string_view tenant, std::string_view id,
                     StatusPublisher::Callback callback)
      : Subscriber(place_key(*tail, tenant, id), tenant.size(), id.size()),
        callback_(std::move(callback)) {}

  void offer(const StatusEventPtr& event) override {
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
  void cancel() override {
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
  std::mutex mutex_;
  StatusEventPtr pending_;
  std::uint64_t newest_ = 0;  // highest version accepted (delivered or pending)
  bool delivering_ = false;
  bool cancelled_ = false;
  std::thread::id deliverer_;
  StatusPublisher::Callback callback_;
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
    core->remove(*sub);
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
  auto sub = detail::CallbackSubscriber::make(tenant, session_id, std::move(callback));
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
  if (event) core_->deliver(event);
}

std::size_t StatusPublisher::subscriber_count() const { return core_->count(); }

}  // namespace eudiplo_sse
