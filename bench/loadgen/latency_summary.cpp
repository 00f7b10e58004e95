#include "latency_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace eudiplo_sse::bench {

void LatencySummary::sort() {
  if (sorted_upto_ == samples_us_.size()) return;
  std::sort(samples_us_.begin(), samples_us_.end());
  sorted_upto_ = samples_us_.size();
}

double LatencySummary::percentile_us(double p) {
  if (samples_us_.empty()) return std::numeric_limits<double>::quiet_NaN();
  sort();
  const auto n = samples_us_.size();
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return samples_us_[rank - 1];
}

double LatencySummary::max_us() { return percentile_us(100); }

double LatencySummary::mean_us() const {
  if (samples_us_.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(samples_us_.begin(), samples_us_.end(), 0.0) /
         static_cast<double>(samples_us_.size());
}

JsonObject LatencySummary::json() {
  JsonObject o;
  o.add_int("count", static_cast<std::int64_t>(count()));
  o.add_num("p50_us", percentile_us(50));
  o.add_num("p90_us", percentile_us(90));
  o.add_num("p99_us", percentile_us(99));
  o.add_num("p999_us", percentile_us(99.9));
  o.add_num("max_us", max_us());
  o.add_num("mean_us", mean_us());
  return o;
}

}  // namespace eudiplo_sse::bench
