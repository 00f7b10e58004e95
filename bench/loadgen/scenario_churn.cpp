#include <cstdio>

#include "connect_loop.hpp"
#include "scenarios.hpp"

namespace eudiplo_sse::bench {

ScenarioResult run_churn(Bench& b) {
  const Options& o = b.opt();
  ScenarioResult r("churn");
  r.params.add_num("seconds", o.churn_seconds)
      .add_num("warmup_seconds", o.churn_warmup)
      .add_int("concurrency", o.churn_concurrency)
      .add_int("sessions", o.churn_sessions);
  std::string error;
  std::vector<std::string> ids =
      b.create_sessions(static_cast<std::size_t>(o.churn_sessions), error);
  if (!error.empty()) r.problems.push_back(error);
  if (ids.empty()) {
    r.before = r.after = b.sample();
    return r;
  }
  // Reconnecting clients reuse their token, as a browser's EventSource does.
  const std::string& token = b.control_token();
  auto same_token = [&token](std::uint64_t) -> const std::string& { return token; };
  const ProcessSample before_warmup = b.sample();
  if (o.churn_warmup > 0) {
    ConnectLoop warmup(b, ids, static_cast<std::size_t>(o.churn_concurrency), same_token);
    warmup.run(from_seconds(o.churn_warmup), std::chrono::seconds(5));
    b.run_for(std::chrono::seconds(1));
  }
  r.before = b.sample();
  std::vector<std::int64_t> timeline{r.before.rss_kib};
  ConnectLoop loop(b, ids, static_cast<std::size_t>(o.churn_concurrency), same_token);
  loop.every(from_seconds(o.churn_sample_every), [&] { timeline.push_back(b.sample().rss_kib); });
  loop.run(from_seconds(o.churn_seconds), std::chrono::seconds(10));
  const ProcessSample at_stop = b.sample();
  b.run_for(std::chrono::seconds(2));  // the server notices the last disconnects
  r.after = b.sample();
  timeline.push_back(r.after.rss_kib);

  const double rate = static_cast<double>(loop.completed()) / loop.elapsed_seconds();
  const double growth = r.before.rss_kib
                            ? 100.0 * static_cast<double>(r.after.rss_kib - r.before.rss_kib) /
                                  static_cast<double>(r.before.rss_kib)
                            : 0;
  const double cpu = at_stop.cpu_seconds - r.before.cpu_seconds;
  if (loop.failed() != 0) {
    r.problems.push_back(std::to_string(loop.failed()) +
                         " connections failed: " + describe_failures(loop.failures()));
  }
  std::string series = "[";
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    series += (i ? "," : "") + std::to_string(timeline[i]);
  }
  series += "]";
  r.metrics.add_int("cycles", static_cast<std::int64_t>(loop.completed()))
      .add_num("seconds", loop.elapsed_seconds())
      .add_num("cycles_per_s", rate)
      .add_obj("connect_to_first_event", loop.latency().json())
      .add_int("failed", static_cast<std::int64_t>(loop.failed()))
      .add_int("rss_kib_before_warmup", before_warmup.rss_kib)
      .add_int("rss_kib_start", r.before.rss_kib)
      .add_int("rss_kib_end", r.after.rss_kib)
      .add_num("rss_growth_percent", growth)
      .add_raw("rss_kib_timeline", series)
      .add_num("server_cpu_us_per_cycle",
               loop.completed() ? cpu * 1e6 / static_cast<double>(loop.completed()) : 0);
  char line[200];
  std::snprintf(line, sizeof line, "%.0f connect/first-event/disconnect cycles per s, %llu failed",
                rate, static_cast<unsigned long long>(loop.failed()));
  r.summary.push_back(line);
  std::snprintf(line, sizeof line, "RSS %lld KiB -> %lld KiB (%+.1f%%; %lld KiB before warm-up)",
                static_cast<long long>(r.before.rss_kib), static_cast<long long>(r.after.rss_kib),
                growth, static_cast<long long>(before_warmup.rss_kib));
  r.summary.push_back(line);
  return r;
}

}  // namespace eudiplo_sse::bench
