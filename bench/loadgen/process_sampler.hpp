// Reads a server's resident memory and CPU time from /proc/PID, and the load generator's own
// CPU time, so every scenario reports what the server paid for it.
#pragma once
#include <cstdint>

#include "json_writer.hpp"
#include "timing.hpp"

namespace eudiplo_sse::bench {

struct ProcessSample {
  bool valid = false;
  std::int64_t rss_kib = 0;
  double cpu_seconds = 0;           // utime + stime of every thread
  double self_cpu_seconds = 0;      // the load generator's own
  double machine_busy_seconds = 0;  // every CPU, from /proc/stat: shows other processes' load
  TimePoint at{};
};

class ProcessSampler {
 public:
  explicit ProcessSampler(int pid) : pid_(pid) {}
  ProcessSample sample() const;
  int pid() const { return pid_; }

 private:
  int pid_;
};

// rss and cpu fields of a before/after pair, for the JSON output.
JsonObject describe_samples(const ProcessSample& before, const ProcessSample& after);

}  // namespace eudiplo_sse::bench
