#include "maintenance_timer.hpp"

namespace eudiplo_sse::server {

MaintenanceTimer::MaintenanceTimer(Strand strand, EventsRoute& route, SessionService& sessions,
                                   http::HttpServer& server, std::chrono::milliseconds period)
    : timer_(strand), route_(route), sessions_(sessions), server_(server), period_(period) {}

void MaintenanceTimer::start() {
  next_ = std::chrono::steady_clock::now() + period_;
  arm();
}

void MaintenanceTimer::stop() {
  stopped_ = true;
  timer_.cancel();
}

void MaintenanceTimer::arm() {
  // Deadlines on a fixed grid, so ticks do not drift by the time each one takes.
  timer_.expires_at(next_);
  timer_.async_wait([this](const std::error_code& ec) {
    if (ec || stopped_) return;
    try {
      expire_due();
      route_.tick();
      server_.sweep();
      if (other_) other_->sweep();
    } catch (...) {
      // Out of memory in one round; the next one tries again.
    }
    next_ += period_;
    const auto now = std::chrono::steady_clock::now();
    if (next_ < now) next_ = now + period_;
    arm();
  });
}

void MaintenanceTimer::expire_due() {
  // Completion-based: with --redis the round trip must not hold this strand, and
  // the store's script moves each due session once however many instances run
  // this (exactly one `expired` per session).
  if (expiring_->exchange(true)) return;
  sessions_.async_expire_due(
      [flag = expiring_](std::error_code, std::size_t) { flag->store(false); });
}

}  // namespace eudiplo_sse::server
