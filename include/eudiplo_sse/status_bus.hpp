// The seam between instances: every committed change goes onto the bus, and the
// bus delivers it to the StatusPublisher of every instance attached to it.
//
// A single process needs no bus: SessionService then publishes straight to its
// publisher (LocalStatusBus does the same, for code that wants a bus object).
// Several instances behind a load balancer attach one bus each to a shared
// medium (eudiplo_sse::redis::RedisStatusBus).
//
// Contract for implementations:
// - publish() is called after the change is committed to the store, from any
//   thread, possibly concurrently; it must not block (queue and return).
// - Deliveries carry the session's version, so a bus may deliver a change more
//   than once or out of order: StatusPublisher::publish drops events older than
//   (or equal to) what a subscriber already has.
// - A bus should deliver to its own instance's publisher without waiting for the
//   round trip through the shared medium (lower latency; the echo is dropped).
#pragma once

#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"

namespace eudiplo_sse {

class StatusBus {
 public:
  virtual ~StatusBus() = default;
  virtual void publish(const StatusEventPtr& event) = 0;
};

// The one-process bus: delivers to one publisher, inline.
class LocalStatusBus final : public StatusBus {
 public:
  explicit LocalStatusBus(StatusPublisher& publisher) : publisher_(publisher) {}
  void publish(const StatusEventPtr& event) override { publisher_.publish(event); }

 private:
  StatusPublisher& publisher_;
};

}  // namespace eudiplo_sse
