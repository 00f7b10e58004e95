// A test SseWriter: records every byte it accepts, answers `accepted`, `full` or
// `closed` as the test switches it, and fires on_writable / on_closed only when the
// test says so (as a host would, later, from its own thread). It never calls a
// callback from inside write() or close(), as the SseWriter contract requires.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "eudiplo_sse/sse_writer.hpp"

namespace eudiplo_sse::test {

class FakeSseWriter final : public SseWriter {
 public:
  enum class Mode { accept, full, closed };

  WriteResult write(SharedBytes bytes) override {
    if (in_call_.exchange(true)) overlapping_calls_.fetch_add(1);
    WriteResult result = WriteResult::accepted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++write_calls_;
      if (mode_ == Mode::closed || gone_) {
        result = WriteResult::closed;
      } else {
        if (close_calls_ > 0) ++writes_after_close_;
        bytes_ += *bytes;
        chunks_.push_back(std::move(bytes));
        result = mode_ == Mode::full ? WriteResult::full : WriteResult::accepted;
      }
    }
    in_call_.store(false);
    return result;
  }

  void close() override {
    if (in_call_.exchange(true)) overlapping_calls_.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++close_calls_;
    }
    in_call_.store(false);
  }

  void on_writable(std::function<void()> callback) override {
    std::lock_guard<std::mutex> lock(mutex_);
    writable_ = std::move(callback);
  }

  void on_closed(std::function<void()> callback) override {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = std::move(callback);
  }

  // --- test controls -------------------------------------------------------

  void set_mode(Mode m) {
    std::lock_guard<std::mutex> lock(mutex_);
    mode_ = m;
  }

  // The socket drained: answer `accepted` again and fire on_writable.
  void drain() {
    std::function<void()> cb;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      mode_ = Mode::accept;
      cb = writable_;
    }
    if (cb) cb();
  }

  // The response ended (client gone, or the library's close() completed): writes
  // answer `closed` from now on and on_closed fires, once.
  void end() {
    std::function<void()> cb;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      gone_ = true;
      mode_ = Mode::closed;
      if (!closed_fired_) {
        closed_fired_ = true;
        cb = closed_;
      }
    }
    if (cb) cb();
  }

  std::string bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }
  std::vector<SharedBytes> chunks() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return chunks_;
  }
  std::size_t write_calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return write_calls_;
  }
  std::size_t close_calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return close_calls_;
  }
  std::size_t writes_after_close() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return writes_after_close_;
  }
  bool has_writable_callback() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<bool>(writable_);
  }
  bool has_closed_callback() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<bool>(closed_);
  }
  std::size_t overlapping_calls() const { return overlapping_calls_.load(); }

 private:
  mutable std::mutex mutex_;
  Mode mode_ = Mode::accept;
  bool gone_ = false;
  bool closed_fired_ = false;
  std::string bytes_;
  std::vector<SharedBytes> chunks_;
  std::size_t write_calls_ = 0;
  std::size_t close_calls_ = 0;
  std::size_t writes_after_close_ = 0;
  std::function<void()> writable_;
  std::function<void()> closed_;
  std::atomic<bool> in_call_{false};
  std::atomic<std::size_t> overlapping_calls_{0};
};

}  // namespace eudiplo_sse::test
