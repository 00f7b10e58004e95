// One open events response: the bridge between a session's subscription and the
// host's SseWriter. Private to the library (src/), used by EventsRoute.
//
// Back-pressure: while the writer reports `full`, only the newest status event is
// held (the client may skip intermediate states, never the latest or terminal
// one) and keep-alives are skipped; memory per stream stays constant.
//
// Locking: the stream's mutex is held while calling the writer (whose contract
// forbids calling back synchronously) and never while dropping the subscription,
// which may wait for a delivery that itself waits for this mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/sse_writer.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"
#include "heartbeat_wheel.hpp"

namespace eudiplo_sse::detail {

class EventStream;

// What a stream reports to the route that owns it.
class StreamOwner {
 public:
  virtual void stream_finished(EventStream* stream) = 0;
  virtual void event_sent() = 0;
  // The route's clock as of its last tick, in ms: stamps a stream's last write. It
  // lags the real time, so a keep-alive computed from it comes early, never late.
  virtual std::int64_t coarse_now_ms() const = 0;

 protected:
  ~StreamOwner() = default;
};

class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(std::weak_ptr<StreamOwner> owner, std::shared_ptr<SseWriter> writer,
              TimePoint token_expires_at, std::uint64_t key_ref = 0);

  // Hooks the writer's callbacks and writes `preamble` (the retry field).
  void start(const SharedBytes& preamble);
  // Takes ownership of the subscription once subscribe() has returned, and of
  // `keep` (what feeds the subscription), released with it when the stream ends.
  void adopt(StatusPublisher::Subscription subscription, std::shared_ptr<void> keep = {});

  // Writes `event` unless the stream already wrote (or holds) one as new: events
  // reach a stream from its subscription and from the route's read of the store,
  // in either order.

  void deliver(const StatusEventPtr& event);
  // Writes `comment` and records `now_ms` as the last write.
  void heartbeat(const SharedBytes& comment, std::int64_t now_ms);
  // Ends the response (token expired, shutdown).
  void end();

  TimePoint token_expires_at() const noexcept { return token_expires_at_; }
  // The key that verified the token (Principal::key_ref): the stream ends when it
  // leaves the verifier's key set, as at token expiry.
  std::uint64_t key_ref() const noexcept { return key_ref_; }

  // When something last went out (route clock, ms): the next keep-alive is due one
  // heartbeat interval after it.
  std::int64_t last_write_ms() const noexcept {
    return last_write_ms_.load(std::memory_order_relaxed);
  }
  void set_last_write_ms(std::int64_t ms) noexcept {
    last_write_ms_.store(ms, std::memory_order_relaxed);
  }
  // The route's heartbeat wheel files the stream through these (its mutex guards them).
  WheelLinks<EventStream>& wheel_links() noexcept { return wheel_links_; }

 private:
  void on_writable();
  void on_closed();
  // Writes one event; returns true when the stream is now finished.
  bool write_event_locked(const StatusEventPtr& event);
  // Marks finished and hands back what must be released outside the lock.
  StatusPublisher::Subscription finish_locked();
  void release(StatusPublisher::Subscription subscription);
  bool stale_locked(const StatusEventPtr& event) const;

  std::weak_ptr<StreamOwner> owner_;
  std::shared_ptr<SseWriter> writer_;
  const TimePoint token_expires_at_;
  const std::uint64_t key_ref_;

  std::atomic<std::int64_t> last_write_ms_{0};
  WheelLinks<EventStream> wheel_links_;

  std::mutex mutex_;
  StatusPublisher::Subscription subscription_;
  std::shared_ptr<void> keep_;
  StatusEventPtr pending_;  // newest event held while the writer is full
  bool full_ = false;
  bool finished_ = false;
  bool released_ = false;
  bool wrote_event_ = false;
  std::uint64_t last_version_ = 0;  // of the newest event written or pending
};

}  // namespace eudiplo_sse::detail
