// eudiplo_sse_loadgen: drives any server that speaks the routes of docs/contract.md (sections 3
// and 5) through the scenarios of the load benchmark and reports what it measured, as a human
// summary on stdout and a JSON array (one object per scenario) in --json.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "options.hpp"
#include "scenarios.hpp"

using namespace eudiplo_sse::bench;

namespace {

// 15,000 streams plus control connections need more than the usual soft limit of 1024.
rlim_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string json_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + json_quote(items[i]);
  return out + "]";
}

ScenarioResult run_named(Bench& bench, const std::string& name) {
  return name == "idle"                    ? run_idle(bench)
         : name == "admission_hs256"       ? run_admission(bench, "hs256", false)
         : name == "admission_es256"       ? run_admission(bench, "es256", false)
         : name == "admission_hs256_reuse" ? run_admission(bench, "hs256", true)
         : name == "admission_es256_reuse" ? run_admission(bench, "es256", true)
         : name == "burst"                 ? run_burst(bench)
         : name == "burst_a_to_b"          ? run_burst(bench, Layout::a_to_b)
         : name == "burst_mixed"           ? run_burst(bench, Layout::mixed)
         : name == "sustained"             ? run_sustained(bench)
         : name == "sustained_a_to_b"      ? run_sustained(bench, Layout::a_to_b)
         : name == "sustained_mixed"       ? run_sustained(bench, Layout::mixed)
         : name == "churn"                 ? run_churn(bench)
                                           : ScenarioResult(name);
}

// The human summary of one scenario on stdout.
void print_result(Bench& bench, const ScenarioResult& result, double wall) {
  for (const auto& line : result.summary) std::cout << "  " << line << "\n";
  for (const auto& note : result.notes) std::cout << "  note: " << note << "\n";
  for (const auto& problem : result.problems) std::cout << "  PROBLEM: " << problem << "\n";
  for (const auto& [kind, count] : bench.conformance().counts()) {
    std::cout << "  contract deviation: " << kind << " x " << count << "\n";
  }
  const double span = std::max(1e-9, to_seconds(result.after.at - result.before.at));
  const double cpu = result.after.cpu_seconds - result.before.cpu_seconds;
  const double self = result.after.self_cpu_seconds - result.before.self_cpu_seconds;
  const double busy = result.after.machine_busy_seconds - result.before.machine_busy_seconds;
  std::printf(
      "  processes under test: RSS %lld -> %lld KiB, CPU %.3f s; loadgen CPU %.0f%%; other "
      "processes %.2f cores; scenario %.1f s\n",
      static_cast<long long>(result.before.rss_kib), static_cast<long long>(result.after.rss_kib),
      cpu, 100 * self / span, (busy - cpu - self) / span, wall);
}

// One scenario's object in the --json array.
std::string result_json(Bench& bench, const ScenarioResult& result, const std::string& started,
                        double wall) {
  JsonObject o;
  o.add_str("server", bench.opt().label)
      .add_str("scenario", result.name)
      .add_str("url", bench.opt().url)
      .add_str("started_at", started)
      .add_num("wall_seconds", wall)
      .add_obj("params", result.params)
      .add_obj("metrics", result.metrics)
      .add_obj("server_process",
               describe_samples(result.before, result.after, bench.sampled_processes()))
      .add_raw("problems", json_array(result.problems))
      .add_raw("notes", json_array(result.notes))
      .add_obj("contract_deviations", bench.conformance().json());
  return o.str();
}

void print_targets(Bench& bench, rlim_t files) {
  const Options& o = bench.opt();
  std::cout << "loadgen: " << o.label << " at " << o.url << " (pid " << o.server_pid << ")";
  if (!o.url_b.empty()) std::cout << " and " << o.url_b << " (pid " << o.server_pid_b << ")";
  if (o.redis_pid > 0) std::cout << ", redis pid " << o.redis_pid;
  std::cout << ", open-file limit " << files << ", " << bench.env().connector.source_count()
            << " source addresses\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (std::string error = parse_options(argc, argv, options); !error.empty()) {
    const bool help = error == usage();
    (help ? std::cout : std::cerr) << error << (error.back() == '\n' ? "" : "\n");
    return help ? 0 : 2;
  }
  std::signal(SIGPIPE, SIG_IGN);

  if (options.command == "jwks") {
    std::string error;
    auto signer = JwtSigner::es256(options.ec_key, options.kid, TokenClaims{}, error);
    if (!signer) {
      std::cerr << error << "\n";
      return 2;
    }
    std::cout << signer->jwks() << "\n";
    return 0;
  }

  const rlim_t files = raise_open_file_limit();
  Bench bench(options);
  if (std::string error = bench.init(); !error.empty()) {
    std::cerr << "loadgen: " << error << "\n";
    return 2;
  }
  if (std::string error = bench.obtain_control_token(); !error.empty()) {
    std::cerr << "loadgen: " << error << "\n";
    return 2;
  }
  print_targets(bench, files);

  std::vector<std::string> objects;
  bool any_problem = false;
  bool any_deviation = false;
  for (const std::string& name : options.scenarios) {
    bench.conformance().clear();
    const std::string started = utc_now();
    const TimePoint t0 = Clock::now();
    std::cout << "\n== " << options.label << ": " << name << " ==" << std::endl;
    ScenarioResult result = run_named(bench, name);
    if (result.before.at == TimePoint{} && result.metrics.empty() && result.problems.empty()) {
      result.problems.push_back("unknown scenario " + name);
    }
    bench.reset_control();
    const double wall = to_seconds(Clock::now() - t0);
    print_result(bench, result, wall);
    std::fflush(stdout);
    any_problem = any_problem || !result.problems.empty();
    any_deviation = any_deviation || !bench.conformance().clean();
    objects.push_back(result_json(bench, result, started, wall));
  }

  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << "[\n";
    for (std::size_t i = 0; i < objects.size(); ++i) {
      out << objects[i] << (i + 1 < objects.size() ? ",\n" : "\n");
    }
    out << "]\n";
    if (!out) {
      std::cerr << "loadgen: cannot write " << options.json_path << "\n";
      return 2;
    }
  }
  if (options.fail_on_loss && any_problem) return 1;
  if (options.fail_on_deviation && any_deviation) return 1;
  return 0;
}
