#include <asio/steady_timer.hpp>

#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>

#include "scenarios.hpp"

namespace eudiplo_sse::bench {

namespace {

// Sessions go active -> fetched -> completed; a completed one ends its stream, and a fresh
// session from the reserve takes its place, so about `streams` streams stay open throughout.
struct SustainedState : StreamObserver {
  Bench* bench = nullptr;
  Layout layout = Layout::single;
  StreamGroup* group = nullptr;
  const std::vector<std::string>* ids = nullptr;
  std::vector<Status> status;       // last status we asked for (or the initial one)
  std::vector<TimePoint> sent;      // PATCH send time of the change awaited
  std::vector<bool> awaiting;       // a change was sent and its event has not come yet
  std::deque<std::uint32_t> ready;  // open, not awaiting, not terminal: next to be changed
  std::size_t next_reserve = 0;
  std::size_t awaiting_count = 0;
  std::uint64_t delivered = 0;
  std::uint64_t unexpected = 0;  // events for no change awaited: duplicates
  std::uint64_t first_events = 0;
  std::uint64_t streams_lost = 0;
  std::uint64_t reserve_exhausted = 0;
  bool stopping = false;
  LatencySummary latency;
  LatencySummary cross;  // mixed: changes sent to the other instance than the stream's
  LatencySummary local;  // mixed: changes sent to the stream's own instance
  bool tracing = false;
  std::vector<std::pair<TimePoint, Duration>> trace;

  void on_stream_event(SseClient& client, const StreamEvent& event) override {
    const auto tag = client.tag();
    if (event.first) {
      ++first_events;
      if (event.status == Status::active) ready.push_back(tag);
      return;
    }
    if (!awaiting[tag] || event.status != status[tag]) {
      ++unexpected;
      return;
    }
    awaiting[tag] = false;
    --awaiting_count;
    ++delivered;
    latency.add(event.at - sent[tag]);
    if (layout == Layout::mixed) {
      (crosses_instances(layout, tag) ? cross : local).add(event.at - sent[tag]);
    }
    if (tracing) trace.emplace_back(sent[tag], event.at - sent[tag]);
    if (!is_terminal(event.status)) {
      ready.push_back(tag);
    } else if (!stopping) {
      replace();
    }
  }

  void on_stream_end(SseClient& client, StreamEnd) override {
    if (client.events() != 0 && !client.terminal_seen()) {
      ++streams_lost;
      if (!stopping) replace();
    }
  }

  void replace() {
    if (next_reserve >= ids->size()) {
      ++reserve_exhausted;
      return;
    }
    const auto tag = static_cast<std::uint32_t>(next_reserve++);
    group->open(tag, (*ids)[tag], bench->events_target((*ids)[tag], bench->control_token()),
                stream_instance(layout, tag));
  }
};

// What the paced phase did, for the report.
struct PacedRun {
  std::uint64_t sent = 0, starved = 0, backlogged = 0, answered = 0;
  std::map<int, std::uint64_t> bad;
  TimePoint start{};
  double seconds = 0;
  std::uint64_t delivered_in_time = 0;
  std::size_t open_at_start = 0;
  std::uint64_t first_events_at_start = 0;
  std::uint64_t failed_at_start = 0;
};

// Open loop: every millisecond, send what the schedule says is due by now, for
// --sustained-seconds; then waits up to --drain-timeout for the events still awaited.
void pace_changes(Bench& b, Layout layout, const std::vector<std::string>& ids, SustainedState& st,
                  PacedRun& run) {
  const Options& o = b.opt();
  run.start = Clock::now();
  const TimePoint stop = run.start + from_seconds(o.sustained_seconds);
  asio::steady_timer pacer(b.io());
  const auto backlog_limit = static_cast<std::size_t>(std::max(1.0, o.sustained_rate));
  std::function<void(std::error_code)> tick = [&](std::error_code ec) {
    if (ec) return;
    const TimePoint now = Clock::now();
    const auto due = static_cast<std::uint64_t>(o.sustained_rate * to_seconds(now - run.start));
    while (run.sent + run.starved + run.backlogged < due) {
      if (st.ready.empty()) {
        ++run.starved;
        continue;
      }
      if (b.control_queued() >= backlog_limit) {
        ++run.backlogged;
        continue;
      }
      const std::uint32_t tag = st.ready.front();
      st.ready.pop_front();
      const Status to = st.status[tag] == Status::active ? Status::fetched : Status::completed;
      st.status[tag] = to;
      st.awaiting[tag] = true;
      ++st.awaiting_count;
      ++run.sent;
      b.control(change_instance(layout, tag))
          .submit(
              b.patch_request(ids[tag], to),
              [&run](const ControlResponse& resp) {
                ++run.answered;
                if (resp.status != 200) ++run.bad[resp.status];
              },
              [&st, tag](TimePoint t) { st.sent[tag] = t; });
    }
    if (now < stop) {
      pacer.expires_at(now + std::chrono::milliseconds(1));
      pacer.async_wait(tick);
    }
  };
  tick({});
  b.run_until([&] { return Clock::now() >= stop; }, from_seconds(o.sustained_seconds + 1));
  pacer.cancel();
  st.stopping = true;
  run.seconds = to_seconds(Clock::now() - run.start);
  run.delivered_in_time = st.delivered;
  b.run_until([&] { return st.awaiting_count == 0 && run.answered == run.sent; },
              from_seconds(o.drain_timeout));
}

void write_trace(const std::string& path, const SustainedState& st, TimePoint start) {
  std::ofstream csv(path);
  csv << "sent_ms,latency_us\n";
  for (const auto& [at, latency] : st.trace) {
    csv << to_us(at - start) / 1000 << ',' << to_us(latency) << '\n';
  }
}

void note_sustained_problems(ScenarioResult& r, const Options& o, const SustainedState& st,
                             const StreamGroup& group, const PacedRun& run) {
  if (st.awaiting_count) {
    r.problems.push_back(std::to_string(st.awaiting_count) + " events not received");
  }
  if (st.unexpected) {
    r.problems.push_back(std::to_string(st.unexpected) + " events for no change awaited");
  }
  if (!run.bad.empty()) r.problems.push_back("PATCH failed: " + describe_failures(run.bad));
  if (st.streams_lost) {
    r.problems.push_back(std::to_string(st.streams_lost) +
                         " streams ended before a terminal event");
  }
  if (group.failed() > run.failed_at_start) {
    r.problems.push_back(std::to_string(group.failed() - run.failed_at_start) +
                         " replacement streams failed: " + describe_failures(group.failures()));
  }
  if (static_cast<double>(run.sent) < 0.95 * o.sustained_rate * o.sustained_seconds) {
    r.notes.push_back("the target rate was not reached (server backlog or too few ready sessions)");
  }
}

void report_sustained(ScenarioResult& r, const Bench& b, Layout layout, SustainedState& st,
                      const StreamGroup& group, const PacedRun& run) {
  note_sustained_problems(r, b.opt(), st, group, run);
  const double cpu = r.after.cpu_seconds - r.before.cpu_seconds;
  const double cpu_per_event = st.delivered ? cpu * 1e6 / static_cast<double>(st.delivered) : 0;
  const std::uint64_t replacements = st.first_events - run.first_events_at_start;
  const double rate = static_cast<double>(run.delivered_in_time) / run.seconds;
  const double utilisation = cpu / to_seconds(r.after.at - r.before.at);
  r.metrics.add_int("streams_open_at_start", static_cast<std::int64_t>(run.open_at_start))
      .add_int("streams_open_at_end", static_cast<std::int64_t>(group.open_streams()))
      .add_int("changes_sent", static_cast<std::int64_t>(run.sent))
      .add_int("changes_skipped_backlog", static_cast<std::int64_t>(run.backlogged))
      .add_int("changes_skipped_no_ready_session", static_cast<std::int64_t>(run.starved))
      .add_int("events_delivered", static_cast<std::int64_t>(st.delivered))
      .add_int("events_lost", static_cast<std::int64_t>(st.awaiting_count))
      .add_int("events_unexpected", static_cast<std::int64_t>(st.unexpected))
      .add_num("seconds", run.seconds)
      .add_num("delivered_per_s", rate)
      .add_obj("patch_to_event", st.latency.json())
      .add_int("replacement_streams", static_cast<std::int64_t>(replacements))
      .add_num("server_cpu_us_per_event", cpu_per_event)
      .add_num("server_cpu_utilisation", utilisation);
  if (layout == Layout::mixed) {
    r.metrics.add_obj("patch_to_event_cross", st.cross.json())
        .add_obj("patch_to_event_local", st.local.json());
  }
  add_cpu_per_event_by_process(r, b, st.delivered);
  char line[240];
  std::snprintf(line, sizeof line,
                "%llu changes sent, %llu events (%.0f/s), lost %llu; PATCH to "
                "event p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us",
                static_cast<unsigned long long>(run.sent),
                static_cast<unsigned long long>(st.delivered), rate,
                static_cast<unsigned long long>(st.awaiting_count), st.latency.percentile_us(50),
                st.latency.percentile_us(99), st.latency.percentile_us(99.9), st.latency.max_us());
  r.summary.push_back(line);
  std::snprintf(line, sizeof line,
                "server CPU per event: %.1f us (includes %llu replacement "
                "streams), server CPU %.0f%%",
                cpu_per_event, static_cast<unsigned long long>(replacements), 100 * utilisation);
  r.summary.push_back(line);
}

}  // namespace

ScenarioResult run_sustained(Bench& b, Layout layout) {
  const Options& o = b.opt();
  ScenarioResult r(std::string("sustained") + layout_suffix(layout));
  if (std::string problem = layout_problem(b, layout); !problem.empty()) {
    r.problems.push_back(problem);
    return r;
  }
  const auto streams = static_cast<std::size_t>(o.sustained_streams);
  // Every second change completes a session, which then needs a replacement.
  const auto reserve =
      static_cast<std::size_t>(std::ceil(o.sustained_rate * o.sustained_seconds / 2 * 1.1) + 100);
  r.params.add_str("layout", layout_name(layout))
      .add_int("streams", static_cast<std::int64_t>(streams))
      .add_num("rate_per_s", o.sustained_rate)
      .add_num("seconds", o.sustained_seconds)
      .add_int("reserve_sessions", static_cast<std::int64_t>(reserve));
  std::string error;
  std::vector<std::string> ids = b.create_sessions(streams + reserve, error);
  if (!error.empty()) r.problems.push_back(error);

  SustainedState st;
  st.tracing = !o.latency_trace.empty();
  st.bench = &b;
  st.layout = layout;
  st.ids = &ids;
  st.status.assign(ids.size(), Status::active);
  st.sent.assign(ids.size(), TimePoint{});
  st.awaiting.assign(ids.size(), false);
  StreamGroup group(b, &st, static_cast<std::size_t>(o.connect_window));
  st.group = &group;
  st.next_reserve = std::min(streams, ids.size());
  for (std::uint32_t i = 0; i < st.next_reserve; ++i) {
    group.open(i, ids[i], b.events_target(ids[i], b.control_token()), stream_instance(layout, i));
  }
  await_streams_open(b, group, r);
  PacedRun run;
  run.open_at_start = group.open_streams();
  run.first_events_at_start = st.first_events;
  run.failed_at_start = group.failed();

  r.before = b.sample();
  pace_changes(b, layout, ids, st, run);
  r.after = b.sample();
  if (st.tracing) write_trace(o.latency_trace, st, run.start);
  report_sustained(r, b, layout, st, group, run);
  group.close_all();
  b.run_for(std::chrono::milliseconds(500));
  return r;
}

}  // namespace eudiplo_sse::bench
