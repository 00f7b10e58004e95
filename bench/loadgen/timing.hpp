// The one clock of the load generator: every send and every arrival is stamped with it.
#pragma once
#include <chrono>

namespace eudiplo_sse::bench {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

inline double to_us(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Duration from_seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace eudiplo_sse::bench
