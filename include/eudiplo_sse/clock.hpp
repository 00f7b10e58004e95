// Time as the library sees it: wall-clock UTC instants, and an injectable clock so
// tests (and hosts with their own time source) decide what "now" is.
#pragma once

#include <chrono>
#include <functional>

namespace eudiplo_sse {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Returns the current instant. Hosts and tests pass their own to fix time.
using ClockFn = std::function<TimePoint()>;

inline TimePoint system_now() { return Clock::now(); }

}  // namespace eudiplo_sse
