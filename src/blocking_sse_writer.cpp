#include "eudiplo_sse/blocking_sse_writer.hpp"

#include <array>
#include <string_view>
#include <thread>
#include <utility>

namespace eudiplo_sse {
BlockingSseWriter::BlockingSseWriter(BlockingSseWriterOptions options) : options_(options) {}

WriteResult BlockingSseWriter::write(SharedBytes bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ended_) return WriteResult::closed;
  const WriteResult result = queue_.push(std::move(bytes), options_.high_water);
  if (result != WriteResult::closed) ready_.notify_one();
  return result;
}

void BlockingSseWriter::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.close();
  ready_.notify_one();
}

void BlockingSseWriter::on_writable(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!ended_) listeners_.on_writable(std::move(callback));
}

void BlockingSseWriter::listen(std::weak_ptr<SseWriterListener> listener) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ended_) {
      listeners_.listen(std::move(listener));
      return;
    }
  }
  // As on_closed below: after the end, on a thread of its own.
  std::thread([listener = std::move(listener)] {
    SseWriterListeners::Call{listener.lock(), nullptr}.closed();
  }).detach();
}

void BlockingSseWriter::on_closed(std::function<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ended_) {
      listeners_.on_closed(std::move(callback));
      return;
    }
  }
  // Registered after the end: run it, but never inside this call (the library may
  // hold a lock of its own here). A blocking stack has no executor to post to.
  // A Call swallows what the callback throws: it must not unwind through this thread.
  std::thread([callback = std::move(callback)]() mutable {
    SseWriterListeners::Call{nullptr, std::move(callback)}.closed();
  }).detach();
}

BlockingSseWriter::Step BlockingSseWriter::pump(
    const std::function<bool(const char*, std::size_t)>& write_bytes,
    const std::function<bool()>& client_is_there) {
  // Views of the queued events; they stay valid while pumping_ is set, because
  // only this thread consumes the queue and ended() leaves it alone meanwhile.
  std::array<std::string_view, 16> views;
  std::size_t count = 0;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait_for(lock, options_.liveness_interval,
                    [&] { return !queue_.empty() || queue_.closing() || ended_; });
    if (ended_) return Step::gone;
    if (queue_.drained()) return Step::finished;
    count = queue_.gather(views.data(), views.size());
    pumping_ = count > 0;
  }
  // Between events: a departed client is noticed here, not at the next heartbeat.
  if (count == 0) return client_is_there() ? Step::more : Step::gone;
  std::size_t written = 0;
  bool client_took_all = true;
  for (std::size_t i = 0; i < count && client_took_all; ++i) {
    client_took_all = write_bytes(views[i].data(), views[i].size());
    if (client_took_all) written += views[i].size();
  }
  SseWriterListeners::Call notify;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pumping_ = false;
    if (ended_) queue_.clear();  // ended() ran meanwhile and left the bytes to us
    if (ended_ || !client_took_all) return Step::gone;
    if (queue_.consume(written, options_.high_water)) notify = listeners_.writable_call();
  }
  notify.writable();  // may call write(): the mutex is not held
  return Step::more;
}

void BlockingSseWriter::ended() {
  SseWriterListeners::Call closed;
  std::function<void()> writable;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) return;
    ended_ = true;
    queue_.close();
    if (!pumping_) queue_.clear();  // else pump() is writing from it and clears it
    closed = listeners_.take_closed(writable);
  }
  ready_.notify_all();
  writable = nullptr;
  closed.closed();
}

}  // namespace eudiplo_sse
