// What feeds one events stream from the moment the route has verified the token
// until the stream ends: the session's subscription (registered BEFORE the store
// is read, so no change can fall between the read and the subscription), the
// bus watch that makes a multi-instance bus re-read the session after it missed
// messages, and the newest event seen while the stream does not exist yet (the
// host sends the response head between check and open). Private to src/.
//
// Events reach it from two sources in any order (the subscription and the
// route's single read of the store); EventStream drops the older ones.
#pragma once

#include <memory>
#include <mutex>

#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"
#include "event_stream.hpp"

namespace eudiplo_sse::detail {

class StreamFeed {
 public:
  void set_watch(BusWatch watch) { watch_ = std::move(watch); }

  void set_subscription(StatusPublisher::Subscription subscription) {
    std::lock_guard<std::mutex> lock(mutex_);
    subscription_ = std::move(subscription);
  }
  StatusPublisher::Subscription take_subscription() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(subscription_);
  }

  // Before attach(): keeps the newest event. After: hands it to the stream,
  // outside the lock (a terminal event ends the stream, which drops the
  // subscription and may wait for a delivery that is waiting here).
  void offer(const StatusEventPtr& event) {
    std::shared_ptr<EventStream> stream;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!attached_) {
        if (!latest_ || event->version > latest_->version) latest_ = event;
        return;
      }
      stream = stream_.lock();
    }
    if (stream) stream->deliver(event);
  }

  void attach(const std::shared_ptr<EventStream>& stream) {
    StatusEventPtr latest;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      attached_ = true;
      stream_ = stream;
      latest = std::move(latest_);
      latest_.reset();
    }
    if (latest) stream->deliver(latest);
  }

 private:
  std::mutex mutex_;
  bool attached_ = false;
  StatusEventPtr latest_;
  std::weak_ptr<EventStream> stream_;
  StatusPublisher::Subscription subscription_;
  BusWatch watch_;
};

}  // namespace eudiplo_sse::detail
