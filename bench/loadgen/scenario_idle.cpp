#include <cstdio>

#include "scenarios.hpp"

namespace eudiplo_sse::bench {

namespace {
std::string fmt(const char* format, double value) {
  char buf[128];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}
}  // namespace

ScenarioResult run_idle(Bench& b) {
  const Options& o = b.opt();
  ScenarioResult r("idle");
  const auto n = static_cast<std::size_t>(o.idle_streams);
  r.params.add_int("streams", static_cast<std::int64_t>(n))
      .add_num("idle_seconds", o.idle_seconds)
      .add_num("heartbeat_seconds", o.heartbeat_seconds);

  const ProcessSample empty = b.sample();
  r.before = empty;
  std::string error;
  std::vector<std::string> ids = b.create_sessions(n, error);
  if (!error.empty()) r.problems.push_back(error);
  const ProcessSample with_sessions = b.sample();

  StreamGroup group(b, nullptr, static_cast<std::size_t>(o.connect_window));
  const TimePoint open_start = Clock::now();
  for (std::uint32_t i = 0; i < ids.size(); ++i) {
    group.open(i, ids[i], b.events_target(ids[i], b.control_token()));
  }
  if (!b.run_until([&] { return group.settled(); }, from_seconds(o.setup_timeout))) {
    r.problems.push_back("opening streams timed out");
  }
  const double open_seconds = to_seconds(Clock::now() - open_start);
  if (group.failed() != 0) {
    r.problems.push_back(std::to_string(group.failed()) +
                         " streams failed to open: " + describe_failures(group.failures()));
  }
  b.run_for(std::chrono::seconds(2));  // let the server settle after the opening storm
  const ProcessSample open = b.sample();
  const std::size_t open_streams = group.open_streams();
  const std::uint64_t heartbeats_before = group.heartbeats();
  b.run_for(from_seconds(o.idle_seconds));
  const ProcessSample end = b.sample();
  r.after = end;
  const std::uint64_t heartbeats = group.heartbeats() - heartbeats_before;
  const std::size_t still_open = group.open_streams();
  if (still_open < open_streams) {
    r.problems.push_back(std::to_string(open_streams - still_open) + " streams ended while idle");
  }

  const double per_stream = open_streams
                                ? static_cast<double>(open.rss_kib - with_sessions.rss_kib) *
                                      1024.0 / static_cast<double>(open_streams)
                                : 0;
  const double per_stream_end = open_streams
                                    ? static_cast<double>(end.rss_kib - with_sessions.rss_kib) *
                                          1024.0 / static_cast<double>(open_streams)
                                    : 0;
  const double idle_cpu_ms_per_s = (end.cpu_seconds - open.cpu_seconds) * 1000.0 / o.idle_seconds;
  const double expected_heartbeats =
      o.heartbeat_seconds > 0
          ? static_cast<double>(open_streams) *
                static_cast<double>(static_cast<long>(o.idle_seconds / o.heartbeat_seconds))
          : 0;
  r.metrics.add_int("streams_open", static_cast<std::int64_t>(open_streams))
      .add_int("streams_open_at_end", static_cast<std::int64_t>(still_open))
      .add_num("open_seconds", open_seconds)
      .add_num("open_rate_per_s", static_cast<double>(group.opened()) / open_seconds)
      .add_obj("first_event_latency", group.first_event_latency().json())
      .add_int("rss_kib_empty", empty.rss_kib)
      .add_int("rss_kib_with_sessions", with_sessions.rss_kib)
      .add_int("rss_kib_with_streams", open.rss_kib)
      .add_int("rss_kib_after_idle", end.rss_kib)
      .add_num("rss_bytes_per_stream", per_stream)
      .add_num("rss_bytes_per_stream_after_idle", per_stream_end)
      .add_num("rss_bytes_per_session",
               ids.empty() ? 0
                           : static_cast<double>(with_sessions.rss_kib - empty.rss_kib) * 1024.0 /
                                 static_cast<double>(ids.size()))
      .add_num("idle_cpu_ms_per_s", idle_cpu_ms_per_s)
      .add_int("heartbeats_received", static_cast<std::int64_t>(heartbeats))
      .add_num("heartbeats_expected_at_least", expected_heartbeats);
  r.summary.push_back("streams open: " + std::to_string(open_streams) + " (opened in " +
                      fmt("%.1f s", open_seconds) + ")");
  r.summary.push_back("RSS per stream: " + fmt("%.0f B", per_stream) + " (after idle " +
                      fmt("%.0f B)", per_stream_end));
  r.summary.push_back("idle CPU: " + fmt("%.2f ms/s", idle_cpu_ms_per_s) + ", heartbeats " +
                      std::to_string(heartbeats) +
                      " (expected >= " + fmt("%.0f)", expected_heartbeats));
  if (o.heartbeat_seconds > 0 && o.idle_seconds >= o.heartbeat_seconds &&
      static_cast<double>(heartbeats) < 0.9 * expected_heartbeats) {
    r.notes.push_back("fewer heartbeats than one per stream per interval");
  }
  group.close_all();
  b.run_for(std::chrono::milliseconds(500));
  return r;
}

}  // namespace eudiplo_sse::bench
