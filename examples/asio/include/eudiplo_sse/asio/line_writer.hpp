// Lines to a file descriptor from any thread without ever blocking the caller.
//
// A server that logs with a plain write(2) stops the moment its stderr pipe is
// full (a supervisor that reads stdout only, a stuck terminal). Here a background
// thread does the writing; callers only append to a bounded queue, and when it is
// full the line is dropped and counted instead.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace eudiplo_sse::http {

class LineWriter {
 public:
  explicit LineWriter(int fd, std::size_t max_queued_bytes = 1 << 20);
  // Flushes for at most a short while, then gives up on a stuck descriptor.
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues `line` (a newline is added). Never blocks on the descriptor.
  void write(std::string line);

  // Waits until everything queued so far is written, or `timeout` passes.
  bool flush(std::chrono::milliseconds timeout);

  std::uint64_t dropped() const;

 private:
  void run();

  const int fd_;
  const std::size_t max_queued_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<std::string> lines_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool stop_ = false;
  std::uint64_t dropped_ = 0;
  std::thread thread_;
};

// The process-wide writer for stderr. Never destroyed, so that a thread blocked
// on a stuck stderr cannot hold up process exit.
LineWriter& stderr_lines();

}  // namespace eudiplo_sse::http
