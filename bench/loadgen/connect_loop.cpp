#include "connect_loop.hpp"

namespace eudiplo_sse::bench {

ConnectLoop::ConnectLoop(Bench& bench, const std::vector<std::string>& session_ids,
                         std::size_t concurrency, TokenSource token)
    : bench_(bench),
      session_ids_(session_ids),
      concurrency_(concurrency),
      token_(std::move(token)),
      group_(bench, this, concurrency) {}

void ConnectLoop::every(Duration period, std::function<void()> tick) {
  tick_period_ = period;
  tick_ = std::move(tick);
}

void ConnectLoop::launch(std::uint32_t slot) {
  const std::uint64_t n = launched_++;
  const std::string& id = session_ids_[n % session_ids_.size()];
  ++in_flight_;
  group_.open(slot, id, bench_.events_target(id, token_(n)));
}

void ConnectLoop::run(Duration duration, Duration grace) {
  if (session_ids_.empty()) return;
  const TimePoint start = Clock::now();
  for (std::uint32_t slot = 0; slot < concurrency_; ++slot) launch(slot);
  TimePoint next_tick = start + tick_period_;
  const TimePoint stop = start + duration;
  while (Clock::now() < stop) {
    TimePoint until = stop;
    if (tick_ && next_tick < until) until = next_tick;
    bench_.run_until([] { return false; }, until - Clock::now());
    if (tick_ && Clock::now() >= next_tick) {
      tick_();
      next_tick += tick_period_;
    }
  }
  stopping_ = true;
  completed_in_time_ = completed_;
  elapsed_s_ = to_seconds(Clock::now() - start);
  bench_.run_until([this] { return in_flight_ == 0; }, grace);
  group_.close_all();
  in_flight_ = 0;
}

void ConnectLoop::on_stream_event(SseClient& client, const StreamEvent& event) {
  if (!event.first) return;
  ++completed_;
  --in_flight_;
  const std::uint32_t slot = client.tag();
  group_.close(slot);
  if (!stopping_) launch(slot);
}

void ConnectLoop::on_stream_end(SseClient& client, StreamEnd) {
  if (client.events() != 0) return;  // ended after its first event: counted already
  --in_flight_;
  if (!stopping_) launch(client.tag());
}

}  // namespace eudiplo_sse::bench
