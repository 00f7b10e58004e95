// Publishers on several threads, subscribers joining and leaving on others: every
// subscriber must see strictly increasing versions of its own session only, never
// two deliveries at once, and, if still subscribed at the end, the final status.
// Sized to run in a few seconds under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/status_publisher.hpp"

using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using Subscription = eudiplo_sse::StatusPublisher::Subscription;

namespace {

// What one subscription saw.
struct Record {
  std::string tenant;
  std::string session_id;
  std::mutex mutex;
  std::vector<std::uint64_t> versions;
  std::vector<SessionStatus> statuses;
  std::atomic<int> in_callback{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> foreign{0};  // events of another session or tenant
  std::atomic<bool> ended{false};
  std::atomic<bool> armed{false};  // the self-ending subscription is in place

  void record(const StatusEventPtr& e) {
    if (in_callback.fetch_add(1) != 0) overlaps.fetch_add(1);
    if (e->session_id != session_id || e->tenant != tenant) foreign.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex);
      versions.push_back(e->version);
      statuses.push_back(e->status);
    }
    in_callback.fetch_sub(1);
  }
};

struct Held {
  std::shared_ptr<Record> record;
  std::unique_ptr<Subscription> subscription;
  bool self_ending = false;
};

bool strictly_increasing(const std::vector<std::uint64_t>& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] <= v[i - 1]) return false;
  return true;
}

// Subscribes to (tenant, id); one in four subscriptions ends itself from inside a
// delivery, the rest are dropped at random by their owner or kept to the end.
Held subscribe(StatusPublisher& pub, const std::string& tenant, const std::string& id,
               const StatusPublisher::Loader& load, bool self_ending) {
  Held h;
  h.record = std::make_shared<Record>();
  h.record->tenant = tenant;
  h.record->session_id = id;
  h.subscription = std::make_unique<Subscription>();
  h.self_ending = self_ending;
  Record* rec = h.record.get();
  Subscription* sub = h.subscription.get();
  std::shared_ptr<Record> keep = h.record;
  *h.subscription = pub.subscribe(
      tenant, id,
      [keep, rec, sub, self_ending](const StatusEventPtr& e) {
        rec->record(e);
        if (self_ending && e->version >= 2 && rec->armed.load(std::memory_order_acquire)) {
          rec->ended = true;
          sub->reset();
        }
      },
      load);
  h.record->armed.store(true, std::memory_order_release);
  return h;
}

void check_records(
    const std::vector<Held>& held,
    const std::function<std::pair<std::uint64_t, SessionStatus>(const Record&)>& final_state) {
  std::size_t live = 0;
  std::size_t heard_changes = 0;  // proof the run raced: events after the first
  for (const auto& h : held) {
    const Record& r = *h.record;
    if (r.versions.size() > 1) ++heard_changes;
    INFO("session " << r.session_id);
    REQUIRE(r.overlaps == 0);
    REQUIRE(r.foreign == 0);
    REQUIRE(strictly_increasing(r.versions));
    const bool still_subscribed = static_cast<bool>(*h.subscription) && !r.ended;
    if (!still_subscribed) continue;
    ++live;
    auto expected = final_state(r);
    REQUIRE_FALSE(r.versions.empty());
    REQUIRE(r.versions.back() == expected.first);
    REQUIRE(r.statuses.back() == expected.second);
  }
  CHECK(live > 0);
  CHECK(heard_changes > 0);
}

}  // namespace

TEST_CASE("set_status from many threads while subscribers come and go", "[publisher][threads]") {
  eudiplo_sse::InMemorySessionStore store;
  StatusPublisher pub;
  const auto t0 = *eudiplo_sse::parse_iso8601("2026-01-15T12:00:00.000Z");
  eudiplo_sse::SessionService service(store, pub, [t0] { return t0; });

  // Publishers and subscribers work on a window of sessions that slides as the
  // run goes on, so most changes land on sessions that still have changes to make
  // and race the subscriptions made to them.
  constexpr int kSessions = 1200;
  constexpr int kWindow = 24;
  constexpr int kPublishers = 3;
  constexpr int kSubscribers = 2;
  constexpr int kPublishOps = 3000;
  constexpr int kSubscribeOps = 2500;

  struct Key {
    std::string tenant, id;
  };
  std::vector<Key> keys;
  for (int i = 0; i < kSessions; ++i) {
    const std::string tenant = i % 2 ? "tenant-odd" : "tenant-even";
    auto r = service.create(tenant, std::chrono::seconds(3600));
    REQUIRE_FALSE(r.error);
    keys.push_back({tenant, r.session.id});
  }
  auto loader = [&service](const Key& k) -> StatusPublisher::Loader {
    return [&service, k]() -> StatusEventPtr {
      auto s = service.get(k.tenant, k.id);
      return s ? eudiplo_sse::make_status_event(*s) : nullptr;
    };
  };
  std::atomic<int> progress{0};  // publish operations done so far
  auto pick = [&](std::mt19937& rng) -> const Key& {
    const int base =
        progress.load(std::memory_order_relaxed) * kSessions / (kPublishers * kPublishOps);
    return keys[static_cast<std::size_t>(base + static_cast<int>(rng() % kWindow)) % kSessions];
  };

  std::vector<std::vector<Held>> held(kSubscribers);
  std::vector<std::thread> threads;
  for (int t = 0; t < kSubscribers; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      auto& mine = held[t];
      for (int op = 0; op < kSubscribeOps; ++op) {
        const Key& k = pick(rng);
        // Also a few subscriptions in the wrong tenant: they must hear nothing.
        const bool wrong_tenant = rng() % 16 == 0;
        const std::string tenant = wrong_tenant ? "tenant-none" : k.tenant;
        mine.push_back(subscribe(pub, tenant, k.id, loader({tenant, k.id}), rng() % 4 == 0));
        if (rng() % 3 == 0) {
          auto& victim = mine[rng() % mine.size()];
          if (!victim.self_ending) victim.subscription->reset();
        }
      }
    });
  }
  for (int t = 0; t < kPublishers; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(200 + t);
      for (int op = 0; op < kPublishOps; ++op) {
        const Key& k = pick(rng);
        const unsigned choice = rng() % 10;
        const SessionStatus to = choice < 7   ? SessionStatus::fetched
                                 : choice < 9 ? SessionStatus::completed
                                              : SessionStatus::failed;
        service.set_status(k.tenant, k.id, to);
        progress.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : threads) th.join();

  // Every session ends terminal, published after all subscribers are settled.
  for (const auto& k : keys) service.set_status(k.tenant, k.id, SessionStatus::completed);

  std::vector<Held> all;
  for (auto& v : held)
    for (auto& h : v) all.push_back(std::move(h));
  for (const auto& h : all) {
    if (h.record->tenant == "tenant-none") {
      REQUIRE(h.record->versions.empty());
    }
  }
  std::vector<Held> real;
  for (auto& h : all)
    if (h.record->tenant != "tenant-none") real.push_back(std::move(h));
  check_records(real, [&](const Record& r) {
    auto s = service.get(r.tenant, r.session_id);
    REQUIRE(s);
    REQUIRE(eudiplo_sse::is_terminal(s->status));
    return std::make_pair(s->version, s->status);
  });
  all.clear();
  real.clear();
  CHECK(pub.subscriber_count() == 0);
}

TEST_CASE("out-of-order publishers with long version runs", "[publisher][threads]") {
  StatusPublisher pub;
  constexpr int kSessions = 16;
  constexpr std::uint64_t kLastVersion = 600;
  constexpr int kPublishers = 3;
  constexpr int kSubscribeOps = 600;

  // The "store": the highest version committed per session, raised before publishing.
  std::vector<std::atomic<std::uint64_t>> committed(kSessions);
  for (auto& c : committed) c = 0;
  auto make = [](int session, std::uint64_t v) {
    eudiplo_sse::Session s;
    s.id = "s" + std::to_string(session);
    s.tenant = "tenant";
    s.version = v;
    s.status = v == kLastVersion ? SessionStatus::completed : SessionStatus::fetched;
    return eudiplo_sse::make_status_event(s);
  };

  std::vector<Held> held;
  // Publishers start once the first tenth of the subscriptions exist: on a loaded
  // machine they could otherwise finish before the subscriber thread ran at all,
  // and the run would prove nothing (heard_changes == 0 in about 1 run in 20).
  std::atomic<int> subscribe_ops{0};
  std::thread subscriber([&] {
    std::mt19937 rng(7);
    for (int op = 0; op < kSubscribeOps; ++op, subscribe_ops.fetch_add(1)) {
      const int session = static_cast<int>(rng() % kSessions);
      auto load = [&, session]() -> StatusEventPtr {
        const std::uint64_t v = committed[session].load();
        return v ? make(session, v) : nullptr;
      };
      held.push_back(subscribe(pub, "tenant", "s" + std::to_string(session), load, rng() % 4 == 0));
      if (rng() % 3 == 0) {
        auto& victim = held[rng() % held.size()];
        if (!victim.self_ending) victim.subscription->reset();
      }
    }
  });
  std::vector<std::thread> publishers;
  for (int t = 0; t < kPublishers; ++t) {
    publishers.emplace_back([&, t] {
      while (subscribe_ops.load() < kSubscribeOps / 10) std::this_thread::yield();
      for (std::uint64_t v = 1 + t; v <= kLastVersion; v += kPublishers) {
        for (int session = 0; session < kSessions; ++session) {
          auto e = make(session, v);
          std::uint64_t cur = committed[session].load();
          while (cur < v && !committed[session].compare_exchange_weak(cur, v)) {
          }
          pub.publish(e);
        }
      }
    });
  }
  for (auto& th : publishers) th.join();
  subscriber.join();

  // Subscriptions made after the last publish got the final state from the loader.
  check_records(held, [](const Record&) {
    return std::make_pair(std::uint64_t{kLastVersion}, SessionStatus::completed);
  });
  held.clear();
  CHECK(pub.subscriber_count() == 0);
}
