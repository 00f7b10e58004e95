#include "eudiplo_sse/blocking_sse_writer.hpp"

#include <thread>
#include <utility>

namespace eudiplo_sse {
namespace {

// The library's callbacks do not throw; should one, it must not unwind through
// the host's connection thread.
void invoke_callback(const std::function<void()>& callback) noexcept {
  try {
    if (callback) callback();
  } catch (...) {
  }
}

}  // namespace

BlockingSseWriter::BlockingSseWriter(BlockingSseWriterOptions options) : options_(options) {}

WriteResult BlockingSseWriter::write(SharedBytes bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closing_ || ended_) return WriteResult::closed;
  if (!bytes || bytes->empty()) return WriteResult::accepted;
  queued_bytes_ += bytes->size();
  queue_.push_back(std::move(bytes));
  ready_.notify_one();
  if (queued_bytes_ <= options_.high_water) return WriteResult::accepted;
  want_writable_ = true;
  return WriteResult::full;
}

void BlockingSseWriter::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closing_ = true;
  ready_.notify_one();
}

void BlockingSseWriter::on_writable(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!ended_) on_writable_ = std::move(callback);
}

void BlockingSseWriter::on_closed(std::function<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ended_) {
      on_closed_ = std::move(callback);
      return;
    }
  }
  // Registered after the end: run it, but never inside this call (the library may
  // hold a lock of its own here). A blocking stack has no executor to post to.
  std::thread([callback = std::move(callback)] { invoke_callback(callback); }).detach();
}

BlockingSseWriter::Step BlockingSseWriter::pump(
    const std::function<bool(const char*, std::size_t)>& write_bytes,
    const std::function<bool()>& client_is_there) {
  std::vector<SharedBytes> batch;
  bool finish = false;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait_for(lock, options_.liveness_interval,
                    [&] { return !queue_.empty() || closing_ || ended_; });
    if (ended_) return Step::gone;
    batch.swap(queue_);
    finish = closing_ && batch.empty();
  }
  if (finish) return Step::finished;
  // Between events: a departed client is noticed here, not at the next heartbeat.
  if (batch.empty()) return client_is_there() ? Step::more : Step::gone;
  for (const auto& bytes : batch) {
    if (!write_bytes(bytes->data(), bytes->size())) return Step::gone;
  }
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& bytes : batch) queued_bytes_ -= bytes->size();
    if (want_writable_ && queued_bytes_ <= options_.high_water / 2) {
      want_writable_ = false;
      notify = on_writable_;
    }
  }
  invoke_callback(notify);  // may call write(): the mutex is not held
  return Step::more;
}

void BlockingSseWriter::ended() {
  std::function<void()> callback;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) return;
    ended_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    on_writable_ = nullptr;
    callback = std::move(on_closed_);
  }
  ready_.notify_all();
  invoke_callback(callback);
}

}  // namespace eudiplo_sse
