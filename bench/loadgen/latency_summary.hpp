// Collects latency samples and reports nearest-rank percentiles.
#pragma once
#include <cstddef>
#include <vector>

#include "json_writer.hpp"
#include "timing.hpp"

namespace eudiplo_sse::bench {

class LatencySummary {
 public:
  void add(Duration d) { samples_us_.push_back(to_us(d)); }
  std::size_t count() const { return samples_us_.size(); }
  // Percentile in microseconds (0..100); NaN without samples.
  double percentile_us(double p);
  double max_us();
  double mean_us() const;
  // {"count","p50_us","p90_us","p99_us","p999_us","max_us","mean_us"}
  JsonObject json();

 private:
  void sort();
  std::vector<double> samples_us_;
  std::size_t sorted_upto_ = 0;
};

}  // namespace eudiplo_sse::bench
