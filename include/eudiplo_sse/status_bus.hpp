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

#include <string>
#include <string_view>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"

namespace eudiplo_sse {

class EUDIPLO_SSE_EXPORT StatusBus {
 public:
  virtual ~StatusBus() = default;
  virtual void publish(const StatusEventPtr& event) = 0;

  // Local streams follow (tenant, id) / stopped following it. A bus that can miss
  // messages (a dropped connection) re-reads the followed sessions once it has
  // recovered. Counted: each watch needs one unwatch. Thread-safe; must not block.
  // The in-process bus never misses anything, so the defaults do nothing.
  virtual void watch(std::string_view tenant, std::string_view id) {
    (void)tenant;
    (void)id;
  }
  virtual void unwatch(std::string_view tenant, std::string_view id) {
    (void)tenant;
    (void)id;
  }
};

// Holds one watch() for its lifetime (one per open stream).
class EUDIPLO_SSE_EXPORT BusWatch {
 public:
  BusWatch() = default;
  BusWatch(StatusBus& bus, std::string_view tenant, std::string_view id)
      : bus_(&bus), tenant_(tenant), id_(id) {
    bus_->watch(tenant_, id_);
  }
  BusWatch(BusWatch&& other) noexcept
      : bus_(other.bus_), tenant_(std::move(other.tenant_)), id_(std::move(other.id_)) {
    other.bus_ = nullptr;
  }
  BusWatch& operator=(BusWatch&& other) noexcept {
    if (this != &other) {
      reset();
      bus_ = other.bus_;
      tenant_ = std::move(other.tenant_);
      id_ = std::move(other.id_);
      other.bus_ = nullptr;
    }
    return *this;
  }
  BusWatch(const BusWatch&) = delete;
  BusWatch& operator=(const BusWatch&) = delete;
  ~BusWatch() { reset(); }

  void reset() noexcept {
    if (bus_ != nullptr) bus_->unwatch(tenant_, id_);
    bus_ = nullptr;
  }

 private:
  StatusBus* bus_ = nullptr;
  std::string tenant_;
  std::string id_;
};

// The one-process bus: delivers to one publisher, inline.
class EUDIPLO_SSE_EXPORT LocalStatusBus final : public StatusBus {
 public:
  explicit LocalStatusBus(StatusPublisher& publisher) : publisher_(publisher) {}
  void publish(const StatusEventPtr& event) override { publisher_.publish(event); }

 private:
  StatusPublisher& publisher_;
};

}  // namespace eudiplo_sse
