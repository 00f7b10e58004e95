// One events response, from the moment the route has verified the token until the
// stream ends: the session's subscriber (registered BEFORE the store is read, so no
// change can fall between the read and the subscription), the bridge to the host's
// SseWriter, and the bus watch that makes a multi-instance bus re-read the session
// after it missed messages. Private to the library (src/), used by EventsRoute.
//
// Memory (issue 12): one allocation per stream. The stream is itself the
// publisher's subscriber (no callback object), holds its session key in the same
// block, and is filed by the route and its heartbeat wheel through links inside it.
//
// Before open() (the host sends the response head between check and open) the
// stream keeps only the newest event it was offered; open() writes the retry
// field and that event. Events reach it from two sources in any order (the
// subscription and the route's single read of the store); older ones are dropped.
//
// Back-pressure: while the writer reports `full`, only the newest status event is
// held (the client may skip intermediate states, never the latest or terminal
// one) and keep-alives are skipped; memory per stream stays constant.
//
// Locking: the stream's mutex is held while calling the writer (whose contract
// forbids calling back synchronously) and never while leaving the publisher, the
// bus or the route.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/sse_writer.hpp"
#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "heartbeat_wheel.hpp"
#include "publisher_core.hpp"

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

// The route's list of open streams runs through its streams (guarded by the route
// shard's lock); `self` is the route's reference, which keeps an open stream alive.
struct RouteLinks {
  EventStream* prev = nullptr;
  EventStream* next = nullptr;
  std::shared_ptr<EventStream> self;
};

class EventStream final : public Subscriber, public SseWriterListener {
 public:
  // Subscribes to (tenant, id) on `publisher`, and watches it on `bus` if given.
  // `followers`: how many subscribers the session has now, this one included.
  static std::shared_ptr<EventStream> subscribe(const std::shared_ptr<PublisherCore>& publisher,
                                                StatusBus* bus, std::string_view tenant,
                                                std::string_view id, std::size_t& followers);

  // The route's check ended without open() (the host dropped the response): leave
  // the session. No effect after open().
  void abandon();

  // The route that will own it and who asked: set once, before the route files the
  // stream (which publishes it to the route's other threads), so that a stream
  // ended before open() still leaves the route.
  void prepare(std::weak_ptr<StreamOwner> owner, TimePoint token_expires_at,
               std::uint64_t key_ref) noexcept {
    owner_ = std::move(owner);
    token_expires_at_ = token_expires_at;
    key_ref_ = key_ref;
  }
  // Starts the response: hooks the writer's callbacks, writes `preamble` (the
  // retry field) and the newest event offered so far. Once only.
  void open(std::shared_ptr<SseWriter> writer, const SharedBytes& preamble);

  // Subscriber: before open() keeps the newest event; after, writes `event` unless
  // the stream already wrote (or holds) one as new.
  void offer(const StatusEventPtr& event) override;
  void cancel() override {}  // a finished stream writes nothing (see finish_locked)

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
  RouteLinks& route_links() noexcept { return route_links_; }

  std::shared_ptr<EventStream> shared() {
    return std::static_pointer_cast<EventStream>(shared_from_this());
  }
  std::weak_ptr<EventStream> weak() { return shared(); }

  // Public for allocate_shared; use subscribe().
  EventStream(const std::shared_ptr<PublisherCore>& publisher, char* const* tail,
              std::string_view tenant, std::string_view id, StatusBus* bus);
  ~EventStream() override;

 private:
  // SseWriterListener: the writer can take more; the response ended.
  void writable() override;
  void closed() override;
  // Writes one event; returns true when the stream is now finished.
  bool write_event_locked(const StatusEventPtr& event);
  // Marks finished; true if this call did (the caller then release()s, unlocked).
  bool finish_locked();
  // Leaves the publisher, the bus and the route.
  void release();
  bool stale_locked(const StatusEventPtr& event) const;

  const std::weak_ptr<PublisherCore> publisher_;
  StatusBus* const bus_;  // watched while set
  std::weak_ptr<StreamOwner> owner_;
  std::shared_ptr<SseWriter> writer_;
  TimePoint token_expires_at_ = TimePoint::max();
  std::uint64_t key_ref_ = 0;

  std::atomic<std::int64_t> last_write_ms_{0};
  WheelLinks<EventStream> wheel_links_;
  RouteLinks route_links_;

  std::mutex mutex_;
  StatusEventPtr pending_;  // before open: the newest event; after: held while full
  bool opened_ = false;
  bool full_ = false;
  bool finished_ = false;
  bool released_ = false;
  bool wrote_event_ = false;
  std::uint64_t last_version_ = 0;  // of the newest event written or pending
};

}  // namespace eudiplo_sse::detail
