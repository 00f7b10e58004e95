#include "process_sampler.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace eudiplo_sse::bench {

namespace {

double self_cpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

double machine_busy() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (cpu != "cpu") return 0;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// RSS (KiB) and utime + stime (seconds) of one process; false when it cannot be read.
bool read_process(int pid, std::int64_t& rss_kib, double& cpu_seconds) {
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream status(dir + "/status");
  std::string line;
  bool have_rss = false;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      rss_kib = std::stoll(line.substr(6));
      have_rss = true;
      break;
    }
  }
  std::ifstream stat(dir + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  auto close = text.rfind(')');
  if (!have_rss || close == std::string::npos) return false;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // After ')' the fields start at 3 (state); utime is 14 and stime 15.
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return true;
}

}  // namespace

ProcessSample ProcessSampler::sample() const {
  ProcessSample s;
  s.at = Clock::now();
  s.self_cpu_seconds = self_cpu();
  s.machine_busy_seconds = machine_busy();
  if (targets_.empty()) return s;
  s.valid = true;
  for (const Target& target : targets_) {
    std::int64_t rss = 0;
    double cpu = 0;
    if (target.pid <= 0 || !read_process(target.pid, rss, cpu)) s.valid = false;
    s.rss_kib += rss;
    s.cpu_seconds += cpu;
    s.cpu_by_process.push_back(cpu);
  }
  return s;
}

JsonObject describe_samples(const ProcessSample& before, const ProcessSample& after,
                            const std::vector<ProcessSampler::Target>& targets) {
  JsonObject o;
  o.add_bool("sampled", before.valid && after.valid);
  o.add_int("rss_kib_before", before.rss_kib);
  o.add_int("rss_kib_after", after.rss_kib);
  o.add_num("cpu_s_before", before.cpu_seconds);
  o.add_num("cpu_s_after", after.cpu_seconds);
  o.add_num("cpu_s", after.cpu_seconds - before.cpu_seconds);
  const double wall = to_seconds(after.at - before.at);
  o.add_num("wall_s", wall);
  o.add_num("server_cpu_utilisation",
            wall > 0 ? (after.cpu_seconds - before.cpu_seconds) / wall : 0);
  o.add_num("loadgen_cpu_utilisation",
            wall > 0 ? (after.self_cpu_seconds - before.self_cpu_seconds) / wall : 0);
  // CPU time that neither the server nor the load generator used: other processes (or the
  // kernel's softirq work charged to no one). Near 0 on a quiet machine; results taken with
  // a high value here are disturbed.
  const double other = (after.machine_busy_seconds - before.machine_busy_seconds) -
                       (after.cpu_seconds - before.cpu_seconds) -
                       (after.self_cpu_seconds - before.self_cpu_seconds);
  o.add_num("other_cpu_cores", wall > 0 ? other / wall : 0);
  if (targets.size() > 1 && before.cpu_by_process.size() == targets.size() &&
      after.cpu_by_process.size() == targets.size()) {
    JsonObject processes;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      JsonObject p;
      p.add_int("pid", targets[i].pid);
      p.add_num("cpu_s", after.cpu_by_process[i] - before.cpu_by_process[i]);
      processes.add_obj(targets[i].label, p);
    }
    o.add_obj("processes", processes);
  }
  return o;
}

}  // namespace eudiplo_sse::bench
