#include "event_stream.hpp"

namespace eudiplo_sse::detail {

EventStream::EventStream(std::weak_ptr<StreamOwner> owner, std::shared_ptr<SseWriter> writer,
                         TimePoint token_expires_at, std::uint64_t key_ref)
    : owner_(std::move(owner)),
      writer_(std::move(writer)),
      token_expires_at_(token_expires_at),
      key_ref_(key_ref) {}

void EventStream::start(const SharedBytes& preamble) {
  std::weak_ptr<EventStream> weak = weak_from_this();
  writer_->on_writable([weak] {
    if (auto self = weak.lock()) self->on_writable();
  });
  writer_->on_closed([weak] {
    if (auto self = weak.lock()) self->on_closed();
  });
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_) return;
  const WriteResult r = writer_->write(preamble);
  if (r == WriteResult::full) full_ = true;
  if (r == WriteResult::closed) {
    auto sub = finish_locked();
    lock.unlock();
    release(std::move(sub));
  }
}

void EventStream::adopt(StatusPublisher::Subscription subscription, std::shared_ptr<void> keep) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!finished_) {
    subscription_ = std::move(subscription);
    keep_ = std::move(keep);
    return;
  }
  // Finished during subscribe() (a terminal first event, or the client left):
  // drop the subscription here, outside the lock.
  lock.unlock();
  subscription.reset();
  keep.reset();
}

bool EventStream::stale_locked(const StatusEventPtr& event) const {
  return wrote_event_ && event->version <= last_version_;
}

void EventStream::deliver(const StatusEventPtr& event) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_ || !event || stale_locked(event)) return;
  wrote_event_ = true;
  last_version_ = event->version;
  if (full_) {
    pending_ = event;
    return;
  }
  if (write_event_locked(event)) {
    auto sub = finish_locked();
    lock.unlock();
    release(std::move(sub));
  }
}

void EventStream::heartbeat(const SharedBytes& comment, std::int64_t now_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_ || full_) return;  // a busy connection needs no keep-alive
  const WriteResult r = writer_->write(comment);
  set_last_write_ms(now_ms);
  if (r == WriteResult::full) full_ = true;
  if (r == WriteResult::closed) {
    auto sub = finish_locked();
    lock.unlock();
    release(std::move(sub));
  }
}

void EventStream::end() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_) return;
  writer_->close();
  auto sub = finish_locked();
  lock.unlock();
  release(std::move(sub));
}

void EventStream::on_writable() {
  std::unique_lock<std::mutex> lock(mutex_);
  full_ = false;
  if (finished_ || !pending_) return;
  StatusEventPtr event = std::move(pending_);
  pending_.reset();
  if (write_event_locked(event)) {
    auto sub = finish_locked();
    lock.unlock();
    release(std::move(sub));
  }
}

void EventStream::on_closed() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto sub = finish_locked();
  lock.unlock();
  release(std::move(sub));
}

bool EventStream::write_event_locked(const StatusEventPtr& event) {
  const WriteResult r = writer_->write(sse_bytes(event));
  if (r == WriteResult::closed) return true;
  if (auto owner = owner_.lock()) {
    owner->event_sent();
    set_last_write_ms(owner->coarse_now_ms());
  }
  if (r == WriteResult::full) full_ = true;
  if (is_terminal(event->status)) {
    // The writer flushes what it accepted, then ends the response.
    writer_->close();
    return true;
  }
  return false;
}

StatusPublisher::Subscription EventStream::finish_locked() {
  finished_ = true;
  pending_.reset();
  return std::move(subscription_);
}

void EventStream::release(StatusPublisher::Subscription subscription) {
  subscription.reset();
  std::shared_ptr<void> keep;  // dropped outside the lock (it may unwatch a bus)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    keep = std::move(keep_);
    if (released_) return;
    released_ = true;
  }
  if (auto owner = owner_.lock()) owner->stream_finished(this);
}

}  // namespace eudiplo_sse::detail
