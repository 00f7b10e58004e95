// Core micro-benchmarks (issue 2): formatting one status event, delivering one
// change to 1, 10 and 1,000 subscribers of a session, and store transitions from
// one and two threads; subscribe + unsubscribe at 1 and 10,000 subscribers per
// session (issue 11). Results and the command: docs/benchmarks_core.md.
//
//   build-release/bench/eudiplo_sse_core_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/session.hpp"
#include "eudiplo_sse/session_json.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/sse_format.hpp"
#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "eudiplo_sse/status_publisher.hpp"

using eudiplo_sse::Session;
using eudiplo_sse::SessionStatus;
using eudiplo_sse::StatusEventPtr;
using eudiplo_sse::StatusPublisher;
using eudiplo_sse::TimePoint;

// Allocations made by this thread, counted by the global operator new below (a
// thread-local increment: nothing shared, so it does not skew the timings). Reported
// as `allocs_per_iter` by the benchmarks that promise a budget (issue 12).
thread_local std::uint64_t t_allocations = 0;

void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

void report_allocations(benchmark::State& state, std::uint64_t before) {
  state.counters["allocs_per_iter"] =
      static_cast<double>(t_allocations - before) / static_cast<double>(state.iterations());
}

// 2026-01-15T12:00:00.000Z
const TimePoint kT0{std::chrono::seconds(1768478400)};

Session sample_session(std::string id = "0f8c2a7e-1b2d-4c3e-9f40-5a6b7c8d9e0f") {
  Session s;
  s.id = std::move(id);
  s.tenant = "tenant-a";
  s.status = SessionStatus::fetched;
  s.version = 1;
  s.created_at = kT0;
  s.updated_at = kT0 + std::chrono::milliseconds(1234);
  s.expires_at = kT0 + std::chrono::minutes(5);
  return s;
}

// --- Formatting --------------------------------------------------------------------

// The whole per-change cost paid once per event: JSON, SSE framing, one allocation.
void BM_MakeStatusEvent(benchmark::State& state) {
  Session s = sample_session();
  const std::uint64_t allocations = t_allocations;
  for (auto _ : state) {
    ++s.version;
    StatusEventPtr e = eudiplo_sse::make_status_event(s);
    benchmark::DoNotOptimize(e.get());
  }
  report_allocations(state, allocations);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MakeStatusEvent);

// Its two parts, to see where the time goes.
void BM_StatusEventJson(benchmark::State& state) {
  Session s = sample_session();
  for (auto _ : state) {
    ++s.version;
    std::string json = eudiplo_sse::status_event_json(s);
    benchmark::DoNotOptimize(json.data());
  }
}
BENCHMARK(BM_StatusEventJson);

void BM_AppendSseEvent(benchmark::State& state) {
  const std::string json = eudiplo_sse::status_event_json(sample_session());
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(eudiplo_sse::append_sse_event(out, {"12345", "", json}));
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_AppendSseEvent);

// --- Delivery ----------------------------------------------------------------------

// One publish() to a session with N subscribers whose callbacks do minimal work;
// the cost is reported per delivery (items = subscribers reached). Events are made
// ahead of time in batches so formatting is not in the timed loop.
void BM_PublishDelivery(benchmark::State& state) {
  const auto subscribers = static_cast<std::size_t>(state.range(0));
  StatusPublisher publisher;
  Session s = sample_session();
  std::uint64_t delivered = 0;
  std::vector<StatusPublisher::Subscription> subs;
  subs.reserve(subscribers);
  for (std::size_t i = 0; i < subscribers; ++i) {
    subs.push_back(publisher.subscribe(
        s.tenant, s.id, [&delivered](const StatusEventPtr&) { ++delivered; },
        [] { return StatusEventPtr(); }));
  }
  // Other sessions in the publisher, as in a server: 10,000 with one subscriber each.
  std::vector<StatusPublisher::Subscription> others;
  for (int i = 0; i < 10000; ++i) {
    others.push_back(publisher.subscribe(
        s.tenant, "other-" + std::to_string(i), [](const StatusEventPtr&) {},
        [] { return StatusEventPtr(); }));
  }

  constexpr std::size_t kBatch = 4096;
  std::vector<StatusEventPtr> batch;
  batch.reserve(kBatch);
  std::uint64_t refill_allocations = 0;  // not the publish's: left out of the count
  auto refill = [&] {
    const std::uint64_t before = t_allocations;
    batch.clear();
    for (std::size_t i = 0; i < kBatch; ++i) {
      ++s.version;
      batch.push_back(eudiplo_sse::make_status_event(s));
    }
    refill_allocations += t_allocations - before;
  };
  refill();
  std::size_t next = 0;
  refill_allocations = 0;
  const std::uint64_t allocations = t_allocations;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      refill();
      next = 0;
      state.ResumeTiming();
    }
    publisher.publish(batch[next++]);
  }
  const auto deliveries =
      static_cast<double>(state.iterations()) * static_cast<double>(subscribers);
  report_allocations(state, allocations + refill_allocations);
  if (static_cast<double>(delivered) != deliveries) state.SkipWithError("deliveries lost");
  state.SetItemsProcessed(static_cast<std::int64_t>(deliveries));
  state.counters["per_delivery"] =
      benchmark::Counter(deliveries, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PublishDelivery)->Arg(1)->Arg(10)->Arg(1000);

// One subscribe() and its unsubscribe on a session that already has N streams (issue
// 11: one session's subscribers must not cost O(N) per join or leave).
void BM_SubscribeUnsubscribe(benchmark::State& state) {
  const auto existing = static_cast<std::size_t>(state.range(0));
  StatusPublisher publisher;
  Session s = sample_session();
  std::vector<StatusPublisher::Subscription> subs;
  subs.reserve(existing);
  for (std::size_t i = 0; i < existing; ++i) {
    subs.push_back(publisher.subscribe(
        s.tenant, s.id, [](const StatusEventPtr&) {}, [] { return StatusEventPtr(); }));
  }
  const std::uint64_t allocations = t_allocations;
  for (auto _ : state) {
    auto sub = publisher.subscribe(
        s.tenant, s.id, [](const StatusEventPtr&) {}, [] { return StatusEventPtr(); });
    benchmark::DoNotOptimize(sub);
    sub.reset();
  }
  report_allocations(state, allocations);
  if (publisher.subscriber_count() != existing) state.SkipWithError("subscriber count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SubscribeUnsubscribe)->Arg(1)->Arg(10000);

// The worst case for a publisher that rebuilds its delivery list lazily: every
// publish follows a join and a leave. Items are deliveries, so the per-delivery
// figure compares with BM_PublishDelivery's.
void BM_ChurnThenPublish(benchmark::State& state) {
  const auto existing = static_cast<std::size_t>(state.range(0));
  StatusPublisher publisher;
  Session s = sample_session();
  std::uint64_t delivered = 0;
  std::vector<StatusPublisher::Subscription> subs;
  subs.reserve(existing);
  for (std::size_t i = 0; i < existing; ++i) {
    subs.push_back(publisher.subscribe(
        s.tenant, s.id, [&delivered](const StatusEventPtr&) { ++delivered; },
        [] { return StatusEventPtr(); }));
  }
  for (auto _ : state) {
    state.PauseTiming();
    ++s.version;
    StatusEventPtr e = eudiplo_sse::make_status_event(s);
    state.ResumeTiming();
    auto sub = publisher.subscribe(
        s.tenant, s.id, [](const StatusEventPtr&) {}, [] { return StatusEventPtr(); });
    sub.reset();
    publisher.publish(e);
  }
  const auto deliveries = static_cast<double>(state.iterations()) * static_cast<double>(existing);
  if (static_cast<double>(delivered) != deliveries) state.SkipWithError("deliveries lost");
  state.SetItemsProcessed(static_cast<std::int64_t>(deliveries));
}
BENCHMARK(BM_ChurnThenPublish)->Arg(1)->Arg(10000);

// --- A stream's life in the route (issue 12) ------------------------------------------

// Accepts every write and keeps only the callbacks, as an idle connection does.
class IdleWriter final : public eudiplo_sse::SseWriter {
 public:
  eudiplo_sse::WriteResult write(eudiplo_sse::SharedBytes) override {
    return eudiplo_sse::WriteResult::accepted;
  }
  void close() override {}
  void on_writable(std::function<void()> callback) override { on_writable_ = std::move(callback); }
  void on_closed(std::function<void()> callback) override { on_closed_ = std::move(callback); }
  // The client leaves: the response ends, as a connection reports it.
  void depart() {
    std::function<void()> closed = std::move(on_closed_);
    on_closed_ = nullptr;
    if (closed) closed();
  }

 private:
  std::function<void()> on_writable_;
  std::function<void()> on_closed_;
};

class AnyTokenVerifier final : public eudiplo_sse::TokenVerifier {
 public:
  eudiplo_sse::VerifyResult verify(std::string_view, TimePoint) const override {
    eudiplo_sse::VerifyResult r;
    r.principal.tenant = "tenant-a";
    r.principal.expires_at = kT0 + std::chrono::hours(1);
    return r;
  }
};

// check() + open() + the stream's end, on an in-memory store, with Arg other streams
// open on other sessions: the library's whole share of one admission (token
// verification aside) and of a client leaving, and the allocations they make.
void BM_RouteOpenClose(benchmark::State& state) {
  eudiplo_sse::InMemorySessionStore store;
  StatusPublisher publisher;
  eudiplo_sse::SessionService service(store, publisher, [] { return kT0; });
  AnyTokenVerifier verifier;
  eudiplo_sse::EventsRoute route(verifier, service);
  std::vector<std::shared_ptr<IdleWriter>> others;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    auto created = service.create("tenant-a", std::chrono::hours(1));
    others.push_back(std::make_shared<IdleWriter>());
    route.open(route.check({created.session.id, "t", "", ""}), others.back());
  }
  const std::string id = service.create("tenant-a", std::chrono::hours(1)).session.id;
  auto writer = std::make_shared<IdleWriter>();
  std::shared_ptr<eudiplo_sse::SseWriter> as_writer = writer;
  const std::uint64_t allocations = t_allocations;
  for (auto _ : state) {
    route.open(route.check({id, "t", "", ""}), as_writer);
    writer->depart();
  }
  report_allocations(state, allocations);
  if (route.stats().open_streams != static_cast<std::uint64_t>(state.range(0))) {
    state.SkipWithError("streams left open");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RouteOpenClose)->Arg(0)->Arg(10000);

// --- A committed change through SessionService (issue 10) ----------------------------

// A store whose every transition commits a new version: isolates what SessionService
// adds between the store and the publisher (making the event, the bus seam).
class AlwaysChangesStore final : public eudiplo_sse::SessionStore {
 public:
  std::error_code create(const Session&) override { return {}; }
  std::optional<Session> get(std::string_view, std::string_view) override { return s_; }
  eudiplo_sse::TransitionResult transition(std::string_view, std::string_view, SessionStatus,
                                           TimePoint now) override {
    ++s_.version;
    s_.updated_at = now;
    return {{}, true, s_};
  }
  std::vector<Session> expire_due(TimePoint) override { return {}; }

 private:
  Session s_ = sample_session();
};

// Arg 0: SessionService without a bus (publishes straight to its publisher, the
// single-process default); Arg 1: the same through a LocalStatusBus. 10 subscribers.
void BM_ServiceChangeDelivery(benchmark::State& state) {
  AlwaysChangesStore store;
  StatusPublisher publisher;
  eudiplo_sse::LocalStatusBus bus(publisher);
  auto clock = [] { return kT0; };
  eudiplo_sse::SessionService direct(store, publisher, clock);
  eudiplo_sse::SessionService via_bus(store, publisher, bus, clock);
  eudiplo_sse::SessionService& service = state.range(0) == 0 ? direct : via_bus;
  const Session s = sample_session();
  std::uint64_t delivered = 0;
  std::vector<StatusPublisher::Subscription> subs;
  for (int i = 0; i < 10; ++i) {
    subs.push_back(publisher.subscribe(
        s.tenant, s.id, [&delivered](const StatusEventPtr&) { ++delivered; },
        [] { return StatusEventPtr(); }));
  }
  for (auto _ : state) service.set_status(s.tenant, s.id, SessionStatus::fetched);
  if (delivered != static_cast<std::uint64_t>(state.iterations()) * 10) {
    state.SkipWithError("deliveries lost");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceChangeDelivery)->Arg(0)->Arg(1);

// --- Store transitions ---------------------------------------------------------------

// Each thread drives its own sessions through active -> fetched -> completed, two
// transitions per session, against one shared store. Sessions are created before
// the timed loop; iterations are fixed so each thread knows how many it needs.
constexpr std::int64_t kTransitionsPerThread = 1000000;

// One store per shard count, made before main() so threads never race to make it.
eudiplo_sse::InMemorySessionStore g_one_shard({1, std::chrono::seconds(3600)});
eudiplo_sse::InMemorySessionStore g_default_shards({64, std::chrono::seconds(3600)});
eudiplo_sse::InMemorySessionStore g_many_shards({1024, std::chrono::seconds(3600)});

eudiplo_sse::InMemorySessionStore& store_with_shards(std::int64_t shards) {
  return shards == 1 ? g_one_shard : shards == 64 ? g_default_shards : g_many_shards;
}

std::atomic<int> g_run{0};

void BM_StoreTransitions(benchmark::State& state) {
  auto& store = store_with_shards(state.range(0));
  // Unique ids per run and thread, so runs and threads never share a session.
  const std::string prefix = "r" + std::to_string(g_run.fetch_add(1)) + "-";
  std::vector<std::string> ids;
  ids.reserve(kTransitionsPerThread / 2);
  Session s = sample_session();
  s.status = SessionStatus::active;
  s.tenant = "tenant-" + std::to_string(state.thread_index());
  for (std::int64_t i = 0; i < kTransitionsPerThread / 2; ++i) {
    s.id = prefix + std::to_string(i);
    if (store.create(s)) {
      state.SkipWithError("create failed");
      break;
    }
    ids.push_back(s.id);
  }
  const TimePoint now = kT0 + std::chrono::seconds(1);
  std::size_t i = 0;
  bool second = false;
  std::int64_t refused = 0;
  for (auto _ : state) {
    auto r = store.transition(s.tenant, ids[i],
                              second ? SessionStatus::completed : SessionStatus::fetched, now);
    refused += r.changed ? 0 : 1;
    if (second) ++i;
    second = !second;
  }
  if (refused != 0) state.SkipWithError("a transition was refused");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  // Every thread has left the timed loop (it ends on a barrier) and the next run
  // starts after this one's threads are joined: empty the store for it, so every
  // run sees the same store size.
  if (state.thread_index() == 0) store.expire_due(kT0 + std::chrono::hours(24 * 365));
}
BENCHMARK(BM_StoreTransitions)
    ->ArgName("shards")
    ->Arg(64)
    ->Arg(1)
    ->Arg(1024)
    ->Iterations(kTransitionsPerThread)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// The same work per operation with nothing shared (a private map per thread, no
// lock): what this machine gives two threads when they do not contend at all. The
// store's two-thread gain is judged against this one's.
void BM_PrivateMapBaseline(benchmark::State& state) {
  std::unordered_map<std::string, Session> map;
  std::vector<std::string> ids;
  Session s = sample_session();
  s.tenant = "tenant-" + std::to_string(state.thread_index());
  for (std::int64_t i = 0; i < kTransitionsPerThread / 2; ++i) {
    s.id = "p-" + std::to_string(i);
    ids.push_back(s.id);
    map.emplace(s.id + "\n" + s.tenant, s);
  }
  std::size_t i = 0;
  bool second = false;
  for (auto _ : state) {
    std::string key;
    key.reserve(ids[i].size() + 1 + s.tenant.size());
    key.append(ids[i]).push_back('\n');
    key.append(s.tenant);
    auto it = map.find(key);
    it->second.status = second ? SessionStatus::completed : SessionStatus::fetched;
    ++it->second.version;
    Session copy = it->second;
    benchmark::DoNotOptimize(copy.version);
    if (second) ++i;
    second = !second;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_PrivateMapBaseline)
    ->Iterations(kTransitionsPerThread)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
