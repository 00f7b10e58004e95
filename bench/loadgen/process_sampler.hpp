// Reads a server's resident memory and CPU time from /proc/PID, and the load generator's own
// CPU time, so every scenario reports what the server paid for it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "json_writer.hpp"
#include "timing.hpp"

namespace eudiplo_sse::bench {

struct ProcessSample {
  bool valid = false;
  std::int64_t rss_kib = 0;
  double cpu_seconds = 0;              // utime + stime of every thread (summed over the processes)
  std::vector<double> cpu_by_process;  // the same, per process, in the sampler's order
  double self_cpu_seconds = 0;         // the load generator's own
  double machine_busy_seconds = 0;     // every CPU, from /proc/stat: shows other processes' load
  TimePoint at{};
};

// One or more processes under test: the server, or (two-instance scenarios) both servers and
// their Redis; RSS and CPU are summed over them and CPU is also kept per process.
class ProcessSampler {
 public:
  struct Target {
    std::string label;
    int pid = 0;
  };
  explicit ProcessSampler(std::vector<Target> targets) : targets_(std::move(targets)) {}
  ProcessSample sample() const;
  const std::vector<Target>& targets() const { return targets_; }

 private:
  std::vector<Target> targets_;
};

// rss and cpu fields of a before/after pair, for the JSON output; with more than one process
// also "processes": {label: {cpu_s, rss_kib_after}}.
JsonObject describe_samples(const ProcessSample& before, const ProcessSample& after,
                            const std::vector<ProcessSampler::Target>& targets);

}  // namespace eudiplo_sse::bench
