// The StatusBus between instances, over Redis pub/sub: one channel for all
// changes (<prefix>changes; why one, measured: docs/scaling.md).
//
// - publish(event) delivers to this instance's StatusPublisher at once, and
//   (BusPublishing::by_bus) PUBLISHes the change for the other instances. With
//   RedisSessionStore use BusPublishing::by_store_scripts: its scripts publish
//   each change in the same atomic step that commits it, so nothing is sent twice
//   and nothing committed goes unpublished.
// - Every message received is handed to the local publisher, whose version check
//   drops duplicates and stale versions (our own changes come back as echoes).
// - Own connection and I/O thread: a slow command reply never delays deliveries.
// - Connection loss: reconnects with backoff and resubscribes; once Redis confirms
//   the subscription, re-reads (through `store`) the current status of every
//   session with a watch() held here and delivers it, so a change published
//   while the bus was away is not lost (status is state: the latest is enough).
//   Streams stay open meanwhile.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "eudiplo_sse/redis/redis_options.hpp"
#include "eudiplo_sse/redis/redis_url.hpp"
#include "eudiplo_sse/session_store.hpp"
#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_publisher.hpp"

namespace eudiplo_sse::redis {

enum class BusPublishing {
  by_store_scripts,  // RedisSessionStore publishes inside its scripts
  by_bus,            // a host's own store: the bus PUBLISHes after commit
};

class RedisStatusBus final : public StatusBus {
 public:
  // `local` and `store` must outlive the bus.
  RedisStatusBus(RedisUrl url, RedisOptions options, StatusPublisher& local, SessionStore& store,
                 BusPublishing publishing);
  ~RedisStatusBus() override;
  RedisStatusBus(const RedisStatusBus&) = delete;
  RedisStatusBus& operator=(const RedisStatusBus&) = delete;

  void publish(const StatusEventPtr& event) override;

  // (tenant, id) has local subscribers: re-read it after a reconnect. The route
  // holds a BusWatch (status_bus.hpp) per open stream.
  void watch(std::string_view tenant, std::string_view id) override;
  void unwatch(std::string_view tenant, std::string_view id) override;

  // True while subscribed (for readiness checks and tests).
  bool subscribed() const noexcept;
  // Subscriptions confirmed by Redis so far (1 after start, +1 per reconnect).
  std::uint64_t subscriptions() const noexcept;
  // Sessions re-read after reconnects so far.
  std::uint64_t resynced() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace eudiplo_sse::redis
