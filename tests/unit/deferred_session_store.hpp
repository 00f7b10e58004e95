// Test doubles for the completion-based path: a store that completes later on
// another thread (as a network store does) and a bus that records what it gets.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/session_store.hpp"
#include "eudiplo_sse/status_bus.hpp"

namespace eudiplo_sse::test {

using eudiplo_sse::InMemorySessionStore;
using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;
using eudiplo_sse::TransitionResult;

// A store that answers later, as a network store does: every async_* call is
// queued and completed by run_all() on another thread. While `down` is set the
// completions report store_unavailable.
class DeferredStore final : public eudiplo_sse::SessionStore {
 public:
  std::error_code create(const Session& s) override { return inner_.create(s); }
  std::optional<Session> get(std::string_view t, std::string_view id) override {
    ++reads;
    return inner_.get(t, id);
  }
  TransitionResult transition(std::string_view t, std::string_view id, SessionStatus to,
                              TimePoint now) override {
    return inner_.transition(t, id, to, now);
  }
  std::vector<Session> expire_due(TimePoint now) override { return inner_.expire_due(now); }

  void async_create(const Session& s, eudiplo_sse::CreateHandler h) override {
    defer([this, s, h] { h(down ? eudiplo_sse::error::store_unavailable : inner_.create(s)); });
  }
  void async_get(std::string_view t, std::string_view id, eudiplo_sse::GetHandler h) override {
    ++reads;
    defer([this, t = std::string(t), id = std::string(id), h] {
      if (down) return h(eudiplo_sse::error::store_unavailable, std::nullopt);
      auto found = inner_.get(t, id);
      if (after_read) after_read();
      h({}, std::move(found));
    });
  }
  void async_transition(std::string_view t, std::string_view id, SessionStatus to, TimePoint now,
                        eudiplo_sse::TransitionHandler h) override {
    defer([this, t = std::string(t), id = std::string(id), to, now, h] {
      if (!down) return h(inner_.transition(t, id, to, now));
      TransitionResult r;
      r.error = eudiplo_sse::error::store_unavailable;
      h(r);
    });
  }
  void async_expire_due(TimePoint now, eudiplo_sse::ExpireHandler h) override {
    defer([this, now, h] { h({}, inner_.expire_due(now)); });
  }

  std::size_t pending() {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.size();
  }
  // Completes everything queued, on a thread of its own.
  void run_all() {
    std::deque<std::function<void()>> work;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      work.swap(queue_);
    }
    std::thread([&work] {
      for (auto& w : work) w();
    }).join();
  }

  std::atomic<bool> down{false};
  std::atomic<int> reads{0};  // get and async_get calls
  // Runs between an async_get's read and its completion (a change racing it).
  std::function<void()> after_read;

 private:
  void defer(std::function<void()> f) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(f));
  }
  InMemorySessionStore inner_;
  std::mutex mutex_;
  std::deque<std::function<void()>> queue_;
};

// A bus that records what it is given and forwards to a publisher.
class RecordingBus final : public eudiplo_sse::StatusBus {
 public:
  explicit RecordingBus(StatusPublisher& p) : local_(p) {}
  void publish(const StatusEventPtr& e) override {
    seen.push_back(e);
    local_.publish(e);
  }
  void watch(std::string_view tenant, std::string_view id) override {
    ++watches[std::string(tenant) + "/" + std::string(id)];
  }
  void unwatch(std::string_view tenant, std::string_view id) override {
    --watches[std::string(tenant) + "/" + std::string(id)];
  }
  std::vector<StatusEventPtr> seen;
  std::map<std::string, int> watches;

 private:
  eudiplo_sse::LocalStatusBus local_;
};

}  // namespace eudiplo_sse::test
