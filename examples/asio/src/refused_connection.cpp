#include "refused_connection.hpp"

#include <asio/steady_timer.hpp>
#include <mutex>
#include <string>

#include "eudiplo_sse/asio/http_response.hpp"

namespace eudiplo_sse::http::detail {
namespace {

constexpr auto linger = std::chrono::seconds(1);

class RefusedConnection final : public std::enable_shared_from_this<RefusedConnection> {
 public:
  RefusedConnection(std::shared_ptr<ServerCore> core, PlainStream socket)
      : core_(std::move(core)), socket_(std::move(socket)), timer_(core_->io) {
    core_->refusals_in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  ~RefusedConnection() { core_->refusals_in_flight.fetch_sub(1, std::memory_order_relaxed); }

  void start() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::error_code ec;
    socket_.non_blocking(true, ec);
    auto response = HttpResponse::error(503, "too many connections");
    response.set("Retry-After", std::to_string(core_->options.refused_retry_after.count()));
    const std::string bytes = serialize_response(response, false);
    socket_.write_some(asio::buffer(bytes), ec);
    socket_.shutdown(asio::socket_base::shutdown_send, ec);
    timer_.expires_after(linger);
    timer_.async_wait([self = shared_from_this()](const std::error_code& wait_ec) {
      if (wait_ec) return;
      std::lock_guard<std::mutex> lock(self->mutex_);
      std::error_code ignored;
      self->socket_.close(ignored);
    });
    arm_locked();
  }

 private:
  void arm_locked() {
    socket_.async_wait(asio::socket_base::wait_read,
                       [self = shared_from_this()](const std::error_code& ec) { self->drain(ec); });
  }

  void drain(const std::error_code& ec) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ec && socket_.is_open()) {
      char buffer[1024];
      std::error_code rec;
      for (int i = 0; i < 16; ++i) {
        socket_.read_some(asio::buffer(buffer), rec);
        if (rec) break;
      }
      if (rec == asio::error::would_block || rec == asio::error::try_again || !rec) {
        arm_locked();
        return;
      }
    }
    // EOF, reset, or closed by the timer: done.
    std::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

  std::shared_ptr<ServerCore> core_;
  std::mutex mutex_;
  PlainStream socket_;
  asio::steady_timer timer_;
};

}  // namespace

void refuse_connection(const std::shared_ptr<ServerCore>& core, PlainStream socket) {
  auto refused = std::make_shared<RefusedConnection>(core, std::move(socket));
  refused->start();
}

}  // namespace eudiplo_sse::http::detail
