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
      sessions_.expire_due();
      route_.tick();
      server_.sweep();
    } catch (...) {
      // Out of memory in one round; the next one tries again.
    }
    next_ += period_;
    const auto now = std::chrono::steady_clock::now();
    if (next_ < now) next_ = now + period_;
    arm();
  });
}

}  // namespace eudiplo_sse::server
