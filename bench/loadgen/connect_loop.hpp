// Closed-loop connection cycling for the admission and churn scenarios: `concurrency` clients
// each connect, wait for the first event, disconnect and start over, round-robin over a set of
// sessions, for a given time. The rate it reaches is the rate the server sustains.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench_context.hpp"

namespace eudiplo_sse::bench {

class ConnectLoop : private StreamObserver {
 public:
  // token(n): the token for the n-th connection.
  using TokenSource = std::function<const std::string&(std::uint64_t n)>;
  ConnectLoop(Bench& bench, const std::vector<std::string>& session_ids, std::size_t concurrency,
              TokenSource token);

  // Cycles until `duration` has passed, then lets the ones in flight finish (up to `grace`).
  void run(Duration duration, Duration grace);

  // Cycles finished within the run time (the ones finishing in the grace period are not
  // counted, so completed() / elapsed_seconds() is the rate).
  std::uint64_t completed() const { return completed_in_time_; }
  std::uint64_t failed() const { return group_.failed(); }
  const std::map<int, std::uint64_t>& failures() const { return group_.failures(); }
  double elapsed_seconds() const { return elapsed_s_; }
  LatencySummary& latency() { return group_.first_event_latency(); }
  // Called every `period` while running (RSS samples for churn).
  void every(Duration period, std::function<void()> tick);

 private:
  void launch(std::uint32_t slot);
  void on_stream_event(SseClient& client, const StreamEvent& event) override;
  void on_stream_end(SseClient& client, StreamEnd why) override;

  Bench& bench_;
  const std::vector<std::string>& session_ids_;
  std::size_t concurrency_;
  TokenSource token_;
  StreamGroup group_;
  std::uint64_t launched_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t completed_in_time_ = 0;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  double elapsed_s_ = 0;
  Duration tick_period_{};
  std::function<void()> tick_;
};

}  // namespace eudiplo_sse::bench
