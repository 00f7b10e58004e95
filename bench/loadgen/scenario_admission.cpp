#include <algorithm>
#include <cstdio>

#include "connect_loop.hpp"
#include "scenarios.hpp"

namespace eudiplo_sse::bench {

ScenarioResult run_admission(Bench& b, const std::string& algorithm, bool reconnects) {
  const Options& o = b.opt();
  ScenarioResult r("admission_" + algorithm + (reconnects ? "_reuse" : ""));
  const int per_token = reconnects ? o.reconnect_reuse : o.token_reuse;
  r.params.add_str("algorithm", algorithm)
      .add_num("seconds", o.admission_seconds)
      .add_int("concurrency", o.admission_concurrency)
      .add_int("sessions", o.admission_sessions)
      .add_int("distinct_tokens", std::max(1, o.admission_tokens / per_token))
      .add_int("connections_per_token", per_token);
  r.before = r.after = b.sample();
  const bool matches = b.signer() && (algorithm == "es256") == (o.auth == "es256");
  if (!matches) {
    r.problems.push_back(algorithm == "es256"
                             ? "admission_es256 needs --auth es256 --ec-key (server with --jwks)"
                             : "admission_hs256 needs --auth hs256 and --jwt-secret");
    return r;
  }
  std::string error;
  std::vector<std::string> ids =
      b.create_sessions(static_cast<std::size_t>(o.admission_sessions), error);
  if (!error.empty()) r.problems.push_back(error);
  if (ids.empty()) return r;

  // Signed before the clock starts: the load generator's signing cost stays out of the rate.
  const TimePoint sign_start = Clock::now();
  std::vector<std::string> tokens;
  const int token_count = std::max(1, o.admission_tokens / per_token);
  tokens.reserve(static_cast<std::size_t>(token_count));
  for (int i = 0; i < token_count; ++i) tokens.push_back(b.stream_token());
  const double sign_seconds = to_seconds(Clock::now() - sign_start);
  const auto reuse = static_cast<std::uint64_t>(per_token);

  r.before = b.sample();
  ConnectLoop loop(b, ids, static_cast<std::size_t>(o.admission_concurrency),
                   [&tokens, reuse](std::uint64_t n) -> const std::string& {
                     return tokens[(n / reuse) % tokens.size()];
                   });
  loop.run(from_seconds(o.admission_seconds), std::chrono::seconds(10));
  r.after = b.sample();

  const double rate = static_cast<double>(loop.completed()) / loop.elapsed_seconds();
  const double cpu = r.after.cpu_seconds - r.before.cpu_seconds;
  const std::uint64_t tokens_needed = (loop.completed() + reuse - 1) / reuse;
  if (loop.failed() != 0) {
    r.problems.push_back(std::to_string(loop.failed()) +
                         " connections failed: " + describe_failures(loop.failures()));
  }
  if (!reconnects && tokens_needed > tokens.size()) {
    r.notes.push_back("the token pool was used more than once (raise --admission-tokens)");
  }
  r.metrics.add_int("admitted", static_cast<std::int64_t>(loop.completed()))
      .add_num("seconds", loop.elapsed_seconds())
      .add_num("admissions_per_s", rate)
      .add_obj("connect_to_first_event", loop.latency().json())
      .add_int("failed", static_cast<std::int64_t>(loop.failed()))
      .add_num("server_cpu_us_per_admission",
               loop.completed() ? cpu * 1e6 / static_cast<double>(loop.completed()) : 0)
      .add_bool("tokens_repeated", !reconnects && tokens_needed > tokens.size())
      .add_num("token_signing_seconds", sign_seconds);
  char line[200];
  std::snprintf(line, sizeof line,
                "%.0f admissions/s (%s), connect to first event p50 %.0f us, "
                "p99 %.0f us",
                rate, algorithm.c_str(), loop.latency().percentile_us(50),
                loop.latency().percentile_us(99));
  r.summary.push_back(line);
  std::snprintf(line, sizeof line, "server CPU per admission: %.1f us",
                loop.completed() ? cpu * 1e6 / static_cast<double>(loop.completed()) : 0);
  r.summary.push_back(line);
  return r;
}

}  // namespace eudiplo_sse::bench
