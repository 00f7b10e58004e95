#include "eudiplo_sse/asio/line_writer.hpp"

#include <unistd.h>

#include <cerrno>

namespace eudiplo_sse::http {

LineWriter::LineWriter(int fd, std::size_t max_queued_bytes)
    : fd_(fd), max_queued_bytes_(max_queued_bytes), thread_([this] { run(); }) {}

LineWriter::~LineWriter() {
  flush(std::chrono::milliseconds(500));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  // A thread stuck in write() on a descriptor nobody drains cannot be joined.
  if (flush(std::chrono::milliseconds(0))) {
    thread_.join();
  } else {
    thread_.detach();
  }
}

void LineWriter::write(std::string line) {
  line.push_back('\n');
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_ || queued_bytes_ + line.size() > max_queued_bytes_) {
      ++dropped_;
      return;
    }
    queued_bytes_ += line.size();
    lines_.push_back(std::move(line));
  }
  wake_.notify_one();
}

bool LineWriter::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return drained_.wait_for(lock, timeout, [this] { return lines_.empty() && !writing_; });
}

std::uint64_t LineWriter::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

void LineWriter::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !lines_.empty(); });
    if (lines_.empty()) return;  // stop_ and nothing left
    // Take everything queued and write it as one block.
    std::string block;
    while (!lines_.empty()) {
      block.append(lines_.front());
      lines_.pop_front();
    }
    queued_bytes_ = 0;
    writing_ = true;
    lock.unlock();
    std::size_t off = 0;
    while (off < block.size()) {
      const auto n = ::write(fd_, block.data() + off, block.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        break;  // closed or broken: drop the block
      }
      off += static_cast<std::size_t>(n);
    }
    lock.lock();
    writing_ = false;
    if (lines_.empty()) drained_.notify_all();
  }
}

LineWriter& stderr_lines() {
  static LineWriter* writer = new LineWriter(STDERR_FILENO);
  return *writer;
}

}  // namespace eudiplo_sse::http
