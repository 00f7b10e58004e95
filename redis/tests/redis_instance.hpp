// One "instance" of a host as the tests build it: its own StatusPublisher, a
// RedisSessionStore, a RedisStatusBus and the SessionService tying them, all on
// one Redis. Two of these on one Redis are two replicas behind a load balancer.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "eudiplo_sse/redis/redis_session_store.hpp"
#include "eudiplo_sse/redis/redis_status_bus.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "redis_test_support.hpp"

namespace redis_test {

struct Instance {
  Instance(eudiplo_sse::redis::RedisUrl url, eudiplo_sse::redis::RedisOptions options,
           eudiplo_sse::ClockFn clock = eudiplo_sse::system_now)
      : store(url, options),
        bus(url, options, publisher, store, eudiplo_sse::redis::BusPublishing::by_store_scripts),
        service(store, publisher, bus, std::move(clock)) {}

  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::redis::RedisSessionStore store;
  eudiplo_sse::redis::RedisStatusBus bus;
  eudiplo_sse::SessionService service;
};

// What one subscriber received, safe to read from the test thread.
struct Received {
  void add(const eudiplo_sse::StatusEventPtr& e) {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(e);
  }
  std::vector<eudiplo_sse::StatusEventPtr> snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return events;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mutex);
    return events.size();
  }
  std::mutex mutex;
  std::vector<eudiplo_sse::StatusEventPtr> events;
};

// Subscribes the way the route will: register, load the session from the store.
inline eudiplo_sse::StatusPublisher::Subscription follow(Instance& at, const std::string& tenant,
                                                         const std::string& id, Received& out) {
  return at.publisher.subscribe(
      tenant, id, [&out](const eudiplo_sse::StatusEventPtr& e) { out.add(e); },
      [&at, tenant, id]() -> eudiplo_sse::StatusEventPtr {
        auto s = at.store.get(tenant, id);
        return s ? eudiplo_sse::make_status_event(*s) : nullptr;
      });
}

}  // namespace redis_test
