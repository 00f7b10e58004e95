// Where the burst and sustained scenarios open each session's stream and send its changes,
// for the two-instance variants of issue 10 (two servers on one Redis): instance 0 is --url
// (A), instance 1 is --url-b (B).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_context.hpp"

namespace eudiplo_sse::bench {

enum class Layout {
  single,  // everything on A (the issue-6 scenarios)
  a_to_b,  // changes sent to A, every stream on B: each event crosses Redis
  mixed,   // streams and changes split over both, so that half the events cross Redis
};

// Session i's stream: on B for a_to_b, alternating for mixed.
inline std::size_t stream_instance(Layout layout, std::size_t i) {
  return layout == Layout::single ? 0 : layout == Layout::a_to_b ? 1 : i % 2;
}
// Session i's changes: on A, except in mixed where pairs of sessions alternate, so each
// quarter of the sessions has one of the four (stream, change) combinations.
inline std::size_t change_instance(Layout layout, std::size_t i) {
  return layout == Layout::mixed ? (i / 2) % 2 : 0;
}
inline bool crosses_instances(Layout layout, std::size_t i) {
  return stream_instance(layout, i) != change_instance(layout, i);
}
inline const char* layout_name(Layout layout) {
  return layout == Layout::single ? "single" : layout == Layout::a_to_b ? "a_to_b" : "mixed";
}
inline const char* layout_suffix(Layout layout) {
  return layout == Layout::single ? "" : layout == Layout::a_to_b ? "_a_to_b" : "_mixed";
}

// Empty when the bench can run `layout`, else why not (the second instance is missing).
std::string layout_problem(const Bench& bench, Layout layout);

// Adds "cpu_us_per_event": {label: us} for every sampled process when there is more than one
// (both servers and Redis), and a summary line with the same figures.
void add_cpu_per_event_by_process(ScenarioResult& r, const Bench& bench, std::uint64_t events);

}  // namespace eudiplo_sse::bench
