// An io_context with the one thread that runs it: the home of a component's
// hiredis connections (hiredis contexts are not thread-safe, so each is used
// from this thread only).
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <thread>

namespace eudiplo_sse::redis::detail {

class IoThread {
 public:
  IoThread() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;
  ~IoThread() {
    stop([] {});
  }

  asio::io_context& io() noexcept { return io_; }
  bool on_this_thread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs `last` on the thread (to close connections), then stops and joins.
  // Idempotent; handlers still queued after `last` are dropped.
  template <typename F>
  void stop(F last) {
    if (!thread_.joinable()) return;
    std::promise<void> done;
    asio::post(io_, [&] {
      last();
      done.set_value();
    });
    done.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace eudiplo_sse::redis::detail
