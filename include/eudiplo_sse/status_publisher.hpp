// In-process fan-out of status changes to the subscribers of each session.
//
// Guarantees, for every subscriber:
// - it first receives the session's current status, then every later change,
//   with no gap even when a change races the subscription (see subscribe());
// - versions arrive strictly increasing, one callback at a time, never two
//   concurrently;
// - a subscriber slower than the updates skips intermediate versions but always
//   receives the latest: each holds at most one undelivered event, so memory per
//   subscriber is bounded however fast updates come. The terminal status is the
//   last version of a session, so it is always delivered.
//
// Thread safety: every member may be called from any thread. Sessions are spread
// over independently locked shards; a publish touches only its own session's
// subscribers. subscribe() and unsubscribing cost O(1) amortized however many
// subscribers the session has; a publish costs O(subscribers of its session).
// No lock is held while a callback runs, so a callback may publish, subscribe or
// drop any subscription, its own included.
//
// Callbacks run on the publishing thread (or the subscribing thread, for the
// first event) and must be short and non-blocking: hand bytes to a writer, post
// work, return.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/status_event.hpp"

namespace eudiplo_sse {

namespace detail {
class Subscriber;
class PublisherCore;
struct PublisherAccess;
}  // namespace detail

class EUDIPLO_SSE_EXPORT StatusPublisher {
 public:
  using Callback = std::function<void(const StatusEventPtr&)>;
  // Reads the session's current state; called after the subscriber is registered.
  // May return nullptr (session gone): the subscriber then waits for changes.
  using Loader = std::function<StatusEventPtr()>;

  // Ends a subscription when destroyed or reset(). After reset() returns, the
  // callback is not running and will not run again. Called from inside any
  // subscriber's callback, reset() does not wait (two callbacks dropping each
  // other's subscriptions would otherwise wait forever): no new delivery starts,
  // but one already running on another thread may still be finishing.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&&) noexcept;
    Subscription& operator=(Subscription&&) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();

    void reset();
    explicit operator bool() const noexcept { return subscriber_ != nullptr; }

   private:
    friend class StatusPublisher;
    Subscription(std::shared_ptr<detail::PublisherCore> core,
                 std::shared_ptr<detail::Subscriber> subscriber);
    std::weak_ptr<detail::PublisherCore> core_;
    std::shared_ptr<detail::Subscriber> subscriber_;
  };

  // Sessions are spread over `shard_count` locks, rounded up to a power of two.
  explicit StatusPublisher(std::size_t shard_count = 64);
  ~StatusPublisher();
  StatusPublisher(const StatusPublisher&) = delete;
  StatusPublisher& operator=(const StatusPublisher&) = delete;

  // Registers `callback` for (tenant, session_id), then calls `load` and delivers
  // its result as the first event. Any change published after registration is
  // delivered too; whichever is newer wins, so a change landing between the read
  // and the registration is neither lost nor delivered out of order. This holds
  // when hosts publish a change only after it is committed to the store.
  [[nodiscard]] Subscription subscribe(std::string_view tenant, std::string_view session_id,
                                       Callback callback, const Loader& load);

  // Delivers `event` to the subscribers of its session. Events older than what a
  // subscriber already has are ignored, so concurrent publishers need no ordering.
  void publish(const StatusEventPtr& event);

  std::size_t subscriber_count() const;

 private:
  friend struct detail::PublisherAccess;  // the route's streams subscribe without a callback
  std::shared_ptr<detail::PublisherCore> core_;
};

}  // namespace eudiplo_sse
