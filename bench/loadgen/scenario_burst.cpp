#include <algorithm>
#include <cstdio>

#include "scenarios.hpp"

namespace eudiplo_sse::bench {

namespace {

// Correlates each session's PATCH with the `fetched` event it causes.
struct BurstObserver : StreamObserver {
  Layout layout = Layout::single;
  std::vector<TimePoint> sent;
  std::vector<bool> got;
  std::size_t received = 0;
  std::size_t duplicates = 0;
  TimePoint last_at{};
  LatencySummary latency;
  LatencySummary cross;  // mixed: events whose change went to the other instance
  LatencySummary local;  // mixed: events whose change went to the stream's own instance
  std::size_t ended_early = 0;

  void on_stream_event(SseClient& client, const StreamEvent& event) override {
    const auto tag = client.tag();
    if (event.first || event.status != Status::fetched) return;
    if (got[tag]) {
      ++duplicates;
      return;
    }
    got[tag] = true;
    ++received;
    latency.add(event.at - sent[tag]);
    if (layout == Layout::mixed) {
      (crosses_instances(layout, tag) ? cross : local).add(event.at - sent[tag]);
    }
    last_at = std::max(last_at, event.at);
  }
  void on_stream_end(SseClient& client, StreamEnd) override {
    if (client.events() != 0 && !got[client.tag()]) ++ended_early;
  }
};

// The answers to the burst's PATCHes.
struct PatchTally {
  std::size_t answered = 0;
  std::map<int, std::uint64_t> bad;
  TimePoint last_answer{};
};

// One PATCH to `fetched` per session, all at once, each to the instance the layout says.
void send_burst(Bench& b, Layout layout, const std::vector<std::string>& ids, BurstObserver& obs,
                PatchTally& tally) {
  for (std::uint32_t i = 0; i < ids.size(); ++i) {
    b.control(change_instance(layout, i))
        .submit(
            b.patch_request(ids[i], Status::fetched),
            [&tally](const ControlResponse& resp) {
              ++tally.answered;
              tally.last_answer = resp.done_at;
              if (resp.status != 200) ++tally.bad[resp.status];
            },
            [&obs, i](TimePoint t) { obs.sent[i] = t; });
  }
}

void report_burst(ScenarioResult& r, const Bench& b, Layout layout, BurstObserver& obs,
                  std::size_t open_streams, std::size_t expected, const PatchTally& tally,
                  TimePoint start) {
  const std::size_t lost = expected - std::min(expected, obs.received);
  const double drain = obs.received ? to_seconds(obs.last_at - start) : 0;
  const double cpu = r.after.cpu_seconds - r.before.cpu_seconds;
  if (lost) r.problems.push_back(std::to_string(lost) + " events not received");
  if (obs.duplicates) r.problems.push_back(std::to_string(obs.duplicates) + " events twice");
  if (!tally.bad.empty()) r.problems.push_back("PATCH failed: " + describe_failures(tally.bad));
  r.metrics.add_int("streams_open", static_cast<std::int64_t>(open_streams))
      .add_int("events_expected", static_cast<std::int64_t>(expected))
      .add_int("events_received", static_cast<std::int64_t>(obs.received))
      .add_int("events_lost", static_cast<std::int64_t>(lost))
      .add_int("events_duplicated", static_cast<std::int64_t>(obs.duplicates))
      .add_num("drain_seconds", drain)
      .add_num("patch_seconds", tally.answered ? to_seconds(tally.last_answer - start) : 0)
      .add_obj("patch_to_event", obs.latency.json())
      .add_num("server_cpu_us_per_event",
               obs.received ? cpu * 1e6 / static_cast<double>(obs.received) : 0);
  if (layout == Layout::mixed) {
    r.metrics.add_obj("patch_to_event_cross", obs.cross.json())
        .add_obj("patch_to_event_local", obs.local.json());
  }
  add_cpu_per_event_by_process(r, b, obs.received);
  char line[200];
  std::snprintf(line, sizeof line,
                "%zu/%zu events, drain %.3f s; PATCH to event p50 %.0f us, "
                "p99 %.0f us, max %.0f us",
                obs.received, expected, drain, obs.latency.percentile_us(50),
                obs.latency.percentile_us(99), obs.latency.max_us());
  r.summary.push_back(line);
  std::snprintf(line, sizeof line, "server CPU per delivered event: %.1f us (%.3f s in total)",
                obs.received ? cpu * 1e6 / static_cast<double>(obs.received) : 0, cpu);
  r.summary.push_back(line);
}

}  // namespace

ScenarioResult run_burst(Bench& b, Layout layout) {
  const Options& o = b.opt();
  ScenarioResult r(std::string("burst") + layout_suffix(layout));
  if (std::string problem = layout_problem(b, layout); !problem.empty()) {
    r.problems.push_back(problem);
    return r;
  }
  const auto n = static_cast<std::size_t>(o.burst_sessions);
  r.params.add_str("layout", layout_name(layout))
      .add_int("sessions", static_cast<std::int64_t>(n))
      .add_int("control_connections", o.control_connections);
  std::string error;
  std::vector<std::string> ids = b.create_sessions(n, error);
  if (!error.empty()) r.problems.push_back(error);

  BurstObserver obs;
  obs.layout = layout;
  obs.sent.assign(ids.size(), TimePoint{});
  obs.got.assign(ids.size(), false);
  StreamGroup group(b, &obs, static_cast<std::size_t>(o.connect_window));
  for (std::uint32_t i = 0; i < ids.size(); ++i) {
    group.open(i, ids[i], b.events_target(ids[i], b.control_token()), stream_instance(layout, i));
  }
  await_streams_open(b, group, r);
  const std::size_t open_streams = group.open_streams();

  r.before = b.sample();
  PatchTally tally;
  const TimePoint start = Clock::now();
  send_burst(b, layout, ids, obs, tally);
  std::size_t expected = 0;
  for (std::uint32_t i = 0; i < ids.size(); ++i) {
    if (group.client(i) && group.client(i)->is_open()) ++expected;
  }
  b.run_until([&] { return obs.received >= expected && tally.answered == ids.size(); },
              from_seconds(o.burst_timeout));
  r.after = b.sample();
  report_burst(r, b, layout, obs, open_streams, expected, tally, start);
  group.close_all();
  b.run_for(std::chrono::milliseconds(500));
  return r;
}

}  // namespace eudiplo_sse::bench
