#include "eudiplo_sse/status_publisher.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"

using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using Subscription = eudiplo_sse::StatusPublisher::Subscription;

namespace {

StatusEventPtr ev(std::uint64_t version, SessionStatus status = SessionStatus::fetched,
                  std::string id = "s1", std::string tenant = "tenant-a") {
  eudiplo_sse::Session s;
  s.id = std::move(id);
  s.tenant = std::move(tenant);
  s.status = status;
  s.version = version;
  s.updated_at = eudiplo_sse::TimePoint(std::chrono::seconds(1768478400 + version));
  return eudiplo_sse::make_status_event(s);
}

StatusPublisher::Loader loads(StatusEventPtr e) {
  return [e] { return e; };
}

StatusPublisher::Loader loads_nothing() {
  return [] { return StatusEventPtr(); };
}

// Records what a subscriber receives, and whether two deliveries ever overlapped.
struct Recorder {
  mutable std::mutex mutex;
  std::vector<StatusEventPtr> events;
  std::atomic<int> in_callback{0};
  std::atomic<int> overlaps{0};

  StatusPublisher::Callback callback() {
    return [this](const StatusEventPtr& e) { record(e); };
  }
  void record(const StatusEventPtr& e) {
    if (in_callback.fetch_add(1) != 0) overlaps.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(e);
    }
    in_callback.fetch_sub(1);
  }
  std::vector<std::uint64_t> versions() const {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<std::uint64_t> v;
    for (auto& e : events) v.push_back(e->version);
    return v;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex);
    return events.size();
  }
};

using Versions = std::vector<std::uint64_t>;

bool strictly_increasing(const Versions& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] <= v[i - 1]) return false;
  return true;
}

}  // namespace

TEST_CASE("the first event is the current status, delivered by subscribe()", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  int loads_called = 0;
  auto first = ev(1, SessionStatus::active);
  auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), [&] {
    ++loads_called;
    return first;
  });
  CHECK(sub);
  CHECK(loads_called == 1);
  REQUIRE(rec.size() == 1);
  CHECK(rec.events[0] == first);
}

TEST_CASE("every later change follows, in order; older ones are ignored", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), loads(ev(1, SessionStatus::active)));
  pub.publish(ev(2));
  pub.publish(ev(3, SessionStatus::completed));
  CHECK(rec.versions() == Versions{1, 2, 3});

  pub.publish(ev(3, SessionStatus::completed));  // duplicate
  pub.publish(ev(2));                            // stale
  pub.publish(ev(1, SessionStatus::active));
  CHECK(rec.versions() == Versions{1, 2, 3});
  CHECK(rec.events.back()->status == SessionStatus::completed);
}

TEST_CASE("versions may jump; a publisher needs no ordering", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), loads(ev(1, SessionStatus::active)));
  pub.publish(ev(5));
  pub.publish(ev(4));
  pub.publish(ev(9));
  CHECK(rec.versions() == Versions{1, 5, 9});
}

TEST_CASE("a subscriber hears only its own session of its own tenant", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), loads(ev(1, SessionStatus::active)));
  pub.publish(ev(2, SessionStatus::fetched, "s1", "tenant-b"));
  pub.publish(ev(2, SessionStatus::fetched, "s2", "tenant-a"));
  pub.publish(ev(2, SessionStatus::fetched, "s", "1tenant-a"));
  CHECK(rec.versions() == Versions{1});
  pub.publish(ev(2, SessionStatus::fetched, "s1", "tenant-a"));
  CHECK(rec.versions() == Versions{1, 2});
}

TEST_CASE("a loader with nothing leaves the subscriber waiting for changes", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), loads_nothing());
  CHECK(rec.size() == 0);
  pub.publish(ev(3));
  CHECK(rec.versions() == Versions{3});
}

TEST_CASE("a change landing between registration and the read is neither lost nor reordered",
          "[publisher]") {
  StatusPublisher pub;

  SECTION("the loader read a stale version; the newer one was published meanwhile") {
    Recorder rec;
    auto stale = ev(1, SessionStatus::active);
    auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), [&] {
      pub.publish(ev(2));
      return stale;
    });
    auto v = rec.versions();
    CHECK(strictly_increasing(v));
    REQUIRE_FALSE(v.empty());
    CHECK(v.back() == 2);
    pub.publish(ev(3, SessionStatus::completed));
    CHECK(rec.versions().back() == 3);
    CHECK(strictly_increasing(rec.versions()));
  }

  SECTION("the change was terminal") {
    Recorder rec;
    auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), [&] {
      pub.publish(ev(2));
      pub.publish(ev(3, SessionStatus::failed));
      return ev(1, SessionStatus::active);
    });
    auto v = rec.versions();
    CHECK(strictly_increasing(v));
    REQUIRE_FALSE(v.empty());
    CHECK(v.back() == 3);
    CHECK(rec.events.back()->status == SessionStatus::failed);
  }

  SECTION("the loader read the same version that was published: delivered once") {
    Recorder rec;
    auto two = ev(2);
    auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), [&] {
      pub.publish(two);
      return two;
    });
    CHECK(rec.versions() == Versions{2});
  }

  SECTION("published from another thread while the loader reads") {
    Recorder rec;
    auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), [&] {
      std::thread([&] { pub.publish(ev(2)); }).join();
      return ev(1, SessionStatus::active);
    });
    CHECK(rec.versions().back() == 2);
    CHECK(strictly_increasing(rec.versions()));
  }
}

TEST_CASE("each event reaches every subscriber as the same object", "[publisher]") {
  StatusPublisher pub;
  Recorder a, b, c;
  auto sa = pub.subscribe("tenant-a", "s1", a.callback(), loads(ev(1, SessionStatus::active)));
  auto sb = pub.subscribe("tenant-a", "s1", b.callback(), loads(ev(1, SessionStatus::active)));
  auto sc = pub.subscribe("tenant-a", "s1", c.callback(), loads(ev(1, SessionStatus::active)));
  auto two = ev(2);
  pub.publish(two);
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  REQUIRE(c.size() == 2);
  CHECK(a.events[1] == two);
  CHECK(b.events[1] == two);
  CHECK(c.events[1] == two);
}

TEST_CASE("subscriber_count follows subscriptions", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  CHECK(pub.subscriber_count() == 0);
  auto a = pub.subscribe("tenant-a", "s1", rec.callback(), loads_nothing());
  auto b = pub.subscribe("tenant-a", "s1", rec.callback(), loads_nothing());
  auto c = pub.subscribe("tenant-b", "s9", rec.callback(), loads_nothing());
  CHECK(pub.subscriber_count() == 3);
  a.reset();
  CHECK_FALSE(a);
  CHECK(pub.subscriber_count() == 2);
  a.reset();  // twice is harmless
  CHECK(pub.subscriber_count() == 2);
  { Subscription gone = std::move(c); }
  CHECK(pub.subscriber_count() == 1);
  b = Subscription();
  CHECK(pub.subscriber_count() == 0);
}

TEST_CASE("one shard holds many sessions apart", "[publisher]") {
  StatusPublisher pub(1);
  std::vector<Recorder> recs(50);
  std::vector<Subscription> subs;
  for (int i = 0; i < 50; ++i)
    subs.push_back(
        pub.subscribe("tenant-a", "s" + std::to_string(i), recs[i].callback(), loads_nothing()));
  for (int i = 0; i < 50; ++i)
    pub.publish(
        ev(static_cast<std::uint64_t>(i + 1), SessionStatus::fetched, "s" + std::to_string(i)));
  for (int i = 0; i < 50; ++i) CHECK(recs[i].versions() == Versions{std::uint64_t(i + 1)});
}

TEST_CASE("after reset() or destruction no more deliveries", "[publisher]") {
  StatusPublisher pub;
  Recorder rec;
  auto sub = pub.subscribe("tenant-a", "s1", rec.callback(), loads(ev(1, SessionStatus::active)));
  pub.publish(ev(2));
  sub.reset();
  pub.publish(ev(3));
  CHECK(rec.versions() == Versions{1, 2});

  Recorder rec2;
  {
    auto scoped = pub.subscribe("tenant-a", "s1", rec2.callback(), loads_nothing());
    pub.publish(ev(4));
  }
  pub.publish(ev(5));
  CHECK(rec2.versions() == Versions{4});
}

TEST_CASE("a moved subscription keeps delivering; the moved-from one is empty", "[publisher]") {
  StatusPublisher pub;
  Recorder rec, other;
  auto a = pub.subscribe("tenant-a", "s1", rec.callback(), loads_nothing());
  Subscription b = std::move(a);
  CHECK_FALSE(a);
  CHECK(b);
  a.reset();
  pub.publish(ev(2));
  CHECK(rec.versions() == Versions{2});

  auto c = pub.subscribe("tenant-a", "s1", other.callback(), loads_nothing());
  b = std::move(c);  // ends rec's subscription
  CHECK(pub.subscriber_count() == 1);
  pub.publish(ev(3));
  CHECK(rec.versions() == Versions{2});
  CHECK(other.versions() == Versions{3});
}

TEST_CASE("a callback may end its own subscription", "[publisher]") {
  StatusPublisher pub;

  SECTION("by reset()") {
    Subscription sub;
    std::vector<std::uint64_t> seen;
    sub = pub.subscribe(
        "tenant-a", "s1",
        [&](const StatusEventPtr& e) {
          seen.push_back(e->version);
          if (e->version == 2) sub.reset();
        },
        loads(ev(1, SessionStatus::active)));
    pub.publish(ev(2));
    CHECK_FALSE(sub);
    pub.publish(ev(3));
    CHECK(seen == Versions{1, 2});
    CHECK(pub.subscriber_count() == 0);
  }

  SECTION("by destroying the Subscription that owns the callback") {
    auto holder = std::make_unique<Subscription>();
    auto seen = std::make_shared<std::vector<std::uint64_t>>();
    *holder = pub.subscribe(
        "tenant-a", "s1",
        [&holder, seen](const StatusEventPtr& e) {
          seen->push_back(e->version);
          if (e->version == 2) holder.reset();
          seen->push_back(e->version * 100);  // the callback's captures still alive
        },
        loads(ev(1, SessionStatus::active)));
    pub.publish(ev(2));
    CHECK_FALSE(holder);
    pub.publish(ev(3));
    CHECK(*seen == Versions{1, 100, 2, 200});
    CHECK(pub.subscriber_count() == 0);
  }
}

TEST_CASE("a callback may publish and subscribe", "[publisher]") {
  StatusPublisher pub;
  Recorder watcher;
  auto w = pub.subscribe("tenant-a", "s1", watcher.callback(), loads_nothing());

  std::vector<std::uint64_t> seen;
  std::vector<Subscription> spawned;
  Recorder spawned_rec;
  auto sub = pub.subscribe(
      "tenant-a", "s1",
      [&](const StatusEventPtr& e) {
        seen.push_back(e->version);
        if (e->version < 5) pub.publish(ev(e->version + 1));
        if (e->version == 3)
          spawned.push_back(pub.subscribe("tenant-a", "s1", spawned_rec.callback(), loads(ev(3))));
      },
      loads(ev(1, SessionStatus::active)));
  CHECK(strictly_increasing(seen));
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == 5);
  CHECK(watcher.versions().back() == 5);
  CHECK(strictly_increasing(watcher.versions()));
  REQUIRE(spawned.size() == 1);
  CHECK(strictly_increasing(spawned_rec.versions()));
  REQUIRE(spawned_rec.size() > 0);
  CHECK(spawned_rec.versions().back() == 5);
}

TEST_CASE("reset() from another thread waits for a running callback", "[publisher][threads]") {
  StatusPublisher pub;
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  auto sub = pub.subscribe(
      "tenant-a", "s1",
      [&](const StatusEventPtr& e) {
        if (e->version != 2) return;
        entered = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        finished = true;
      },
      loads(ev(1, SessionStatus::active)));
  std::thread publisher([&] { pub.publish(ev(2)); });
  while (!entered) std::this_thread::yield();
  sub.reset();
  CHECK(finished);
  publisher.join();
}

TEST_CASE("after reset() returns the callback never runs again", "[publisher][threads]") {
  for (int round = 0; round < 20; ++round) {
    StatusPublisher pub;
    std::atomic<bool> reset_returned{false};
    std::atomic<int> late_calls{0};
    std::atomic<int> calls{0};
    std::atomic<bool> stop{false};
    auto sub = pub.subscribe(
        "tenant-a", "s1",
        [&](const StatusEventPtr&) {
          if (reset_returned) late_calls.fetch_add(1);
          calls.fetch_add(1);
        },
        loads_nothing());
    std::vector<std::thread> publishers;
    for (int t = 0; t < 2; ++t) {
      publishers.emplace_back([&, t] {
        for (std::uint64_t v = 1 + t; !stop; v += 2) pub.publish(ev(v));
      });
    }
    while (calls < 50 + round * 10) std::this_thread::yield();
    sub.reset();
    reset_returned = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    stop = true;
    for (auto& th : publishers) th.join();
    INFO("round " << round);
    REQUIRE(late_calls == 0);
  }
}

TEST_CASE("a slow subscriber skips to the latest and the terminal; publishers never wait",
          "[publisher][threads]") {
  StatusPublisher pub;
  Recorder rec;
  std::mutex m;
  std::condition_variable cv;
  bool blocked = false;
  bool release = false;

  auto sub = pub.subscribe(
      "tenant-a", "s1",
      [&](const StatusEventPtr& e) {
        rec.record(e);
        if (e->version == 2) {
          std::unique_lock<std::mutex> lock(m);
          blocked = true;
          cv.notify_all();
          cv.wait(lock, [&] { return release; });
        }
      },
      loads(ev(1, SessionStatus::active)));

  std::thread slow_delivery([&] { pub.publish(ev(2)); });
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return blocked; });
  }

  constexpr std::uint64_t kLast = 2 + 10000;
  auto burst = std::async(std::launch::async, [&] {
    for (std::uint64_t v = 3; v < kLast; ++v) pub.publish(ev(v));
    pub.publish(ev(kLast, SessionStatus::completed));
  });
  const bool burst_done = burst.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  {
    std::lock_guard<std::mutex> lock(m);
    release = true;
  }
  cv.notify_all();
  burst.wait();
  slow_delivery.join();

  CHECK(burst_done);  // publishing must not wait behind a busy subscriber
  CHECK(rec.overlaps == 0);
  // At most one undelivered event per subscriber: 3..10001 are overwritten.
  CHECK(rec.versions() == Versions{1, 2, kLast});
  CHECK(rec.events.back()->status == SessionStatus::completed);
}

TEST_CASE("subscriptions may outlive their publisher", "[publisher]") {
  auto pub = std::make_unique<StatusPublisher>();
  Recorder rec;
  auto sub = pub->subscribe("tenant-a", "s1", rec.callback(), loads(ev(1, SessionStatus::active)));
  auto moved = pub->subscribe("tenant-a", "s2", rec.callback(), loads_nothing());
  pub.reset();
  sub.reset();
  Subscription other = std::move(moved);
  CHECK(rec.versions() == Versions{1});
}

TEST_CASE("joins and leaves in any order among 10,000 subscribers of one session",
          "[publisher][issue11]") {
  // Leaves move the last member into the freed slot: whatever the order, every
  // subscriber still present hears each change once and no one who left does.
  StatusPublisher publisher;
  constexpr int kCount = 10000;
  std::vector<int> heard(kCount, 0);
  std::vector<Subscription> subs;
  subs.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    subs.push_back(publisher.subscribe(
        "tenant-a", "s1",
        [&heard, i](const StatusEventPtr&) { ++heard[static_cast<std::size_t>(i)]; },
        loads_nothing()));
  }
  publisher.publish(ev(2));
  // Leave in a scattered order: every third, then the last ones, then the first.
  std::vector<bool> left(kCount, false);
  auto leave = [&](int i) {
    subs[static_cast<std::size_t>(i)].reset();
    left[static_cast<std::size_t>(i)] = true;
  };
  for (int i = 0; i < kCount; i += 3) leave(i);
  for (int i = kCount - 1; i > kCount - 50; --i) {
    if (!left[static_cast<std::size_t>(i)]) leave(i);
  }
  if (!left[1]) leave(1);
  // Joins after leaves reuse the freed slots' neighbourhood.
  int late_heard = 0;
  auto late = publisher.subscribe(
      "tenant-a", "s1", [&late_heard](const StatusEventPtr&) { ++late_heard; }, loads_nothing());
  publisher.publish(ev(3));

  std::size_t present = 0;
  for (int i = 0; i < kCount; ++i) {
    INFO("subscriber " << i);
    const bool gone = left[static_cast<std::size_t>(i)];
    REQUIRE(heard[static_cast<std::size_t>(i)] == (gone ? 1 : 2));
    if (!gone) ++present;
  }
  CHECK(late_heard == 1);
  CHECK(publisher.subscriber_count() == present + 1);
  late.reset();
  subs.clear();
  CHECK(publisher.subscriber_count() == 0);
  publisher.publish(ev(4));  // no one left, nothing delivered, nothing crashes
  CHECK(late_heard == 1);
}

TEST_CASE("a publish racing joins and leaves never reaches a subscriber after reset()",
          "[publisher][threads][issue11]") {
  StatusPublisher publisher;
  std::atomic<bool> stop{false};
  std::atomic<int> after_reset{0};
  std::vector<Subscription> keep;
  for (int i = 0; i < 100; ++i) {
    keep.push_back(publisher.subscribe(
        "tenant-a", "s1", [](const StatusEventPtr&) {}, loads_nothing()));
  }
  std::thread publisher_thread([&] {
    for (std::uint64_t v = 2; !stop.load(); ++v) publisher.publish(ev(v));
  });
  for (int round = 0; round < 2000; ++round) {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    auto sub = publisher.subscribe(
        "tenant-a", "s1",
        [flag, &after_reset](const StatusEventPtr&) {
          if (flag->load()) after_reset.fetch_add(1);
        },
        loads_nothing());
    sub.reset();
    flag->store(true);
  }
  stop = true;
  publisher_thread.join();
  CHECK(after_reset.load() == 0);
  CHECK(publisher.subscriber_count() == 100);
}

TEST_CASE("the session's first subscriber may leave before the others", "[publisher][issue12]") {
  // The first subscriber of a session is its entry in the publisher's table (issue
  // 12): when it leaves, another takes its place without anyone missing a change.
  StatusPublisher pub;
  Recorder a, b, c, d;
  auto sa = pub.subscribe("tenant-a", "s1", a.callback(), loads_nothing());
  auto sb = pub.subscribe("tenant-a", "s1", b.callback(), loads_nothing());
  auto sc = pub.subscribe("tenant-a", "s1", c.callback(), loads_nothing());
  sa.reset();
  pub.publish(ev(2));
  sc.reset();
  pub.publish(ev(3));
  sb.reset();
  CHECK(pub.subscriber_count() == 0);
  pub.publish(ev(4));  // nobody follows s1 any more
  auto sd = pub.subscribe("tenant-a", "s1", d.callback(), loads_nothing());
  pub.publish(ev(5));
  CHECK(a.versions().empty());
  CHECK(b.versions() == Versions{2, 3});
  CHECK(c.versions() == Versions{2});
  CHECK(d.versions() == Versions{5});
}

TEST_CASE("a crowd shrinking to one and growing again keeps delivering", "[publisher][issue12]") {
  StatusPublisher pub;
  Recorder a, b, c;
  auto sa = pub.subscribe("tenant-a", "s1", a.callback(), loads_nothing());
  {
    auto sb = pub.subscribe("tenant-a", "s1", b.callback(), loads_nothing());
    pub.publish(ev(2));
  }
  pub.publish(ev(3));  // `a` alone again
  auto sc = pub.subscribe("tenant-a", "s1", c.callback(), loads_nothing());
  pub.publish(ev(4));
  CHECK(a.versions() == Versions{2, 3, 4});
  CHECK(b.versions() == Versions{2});
  CHECK(c.versions() == Versions{4});
}

TEST_CASE("thousands of sessions in one shard: the table grows and keeps them apart",
          "[publisher][issue12]") {
  // One shard, so every session goes through the same hash table and its growth;
  // the same id under two tenants must stay two sessions.
  StatusPublisher pub(1);
  constexpr int kSessions = 3000;
  std::vector<int> heard(2 * kSessions, 0);
  std::vector<Subscription> subs;
  for (int i = 0; i < 2 * kSessions; ++i) {
    const std::string tenant = i < kSessions ? "tenant-a" : "tenant-b";
    subs.push_back(pub.subscribe(
        tenant, "s" + std::to_string(i % kSessions),
        [&heard, i](const StatusEventPtr&) { ++heard[static_cast<std::size_t>(i)]; },
        loads_nothing()));
  }
  for (int i = 0; i < 2 * kSessions; i += 2) subs[static_cast<std::size_t>(i)].reset();
  CHECK(pub.subscriber_count() == kSessions);
  for (int i = 0; i < kSessions; ++i) {
    pub.publish(ev(2, SessionStatus::fetched, "s" + std::to_string(i), "tenant-a"));
  }
  for (int i = 0; i < 2 * kSessions; ++i) {
    INFO("subscriber " << i);
    const bool present = i % 2 == 1;
    const bool of_a = i < kSessions;
    REQUIRE(heard[static_cast<std::size_t>(i)] == (present && of_a ? 1 : 0));
  }
  subs.clear();
  CHECK(pub.subscriber_count() == 0);
}
