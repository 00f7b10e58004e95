#include "instance_layout.hpp"

#include <cstdio>

namespace eudiplo_sse::bench {

std::string layout_problem(const Bench& bench, Layout layout) {
  if (layout != Layout::single && bench.instances() < 2) {
    return "this scenario needs a second instance (--url-b)";
  }
  return {};
}

void add_cpu_per_event_by_process(ScenarioResult& r, const Bench& bench, std::uint64_t events) {
  const auto& targets = bench.sampled_processes();
  if (targets.size() < 2 || r.before.cpu_by_process.size() != targets.size() ||
      r.after.cpu_by_process.size() != targets.size()) {
    return;
  }
  JsonObject per;
  std::string line = "CPU per event by process:";
  double servers = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const double cpu = r.after.cpu_by_process[i] - r.before.cpu_by_process[i];
    const double us = events ? cpu * 1e6 / static_cast<double>(events) : 0;
    if (targets[i].label != "redis") servers += us;
    per.add_num(targets[i].label, us);
    char part[80];
    std::snprintf(part, sizeof part, " %s %.1f us", targets[i].label.c_str(), us);
    line += part;
  }
  per.add_num("servers", servers);
  r.metrics.add_obj("cpu_us_per_event", per);
  r.summary.push_back(line);
}

}  // namespace eudiplo_sse::bench
