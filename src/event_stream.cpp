#include "event_stream.hpp"

#include <cstring>
#include <utility>

#include "eudiplo_sse/detail/tail_allocator.hpp"

namespace eudiplo_sse::detail {

std::shared_ptr<EventStream> EventStream::subscribe(const std::shared_ptr<PublisherCore>& publisher,
                                                    StatusBus* bus, std::string_view tenant,
                                                    std::string_view id, std::size_t& followers) {
  char* tail = nullptr;
  auto stream = allocate_shared_with_tail<EventStream>(tenant.size() + id.size(), &tail, publisher,
                                                       &tail, tenant, id, bus);
  followers = publisher->add(stream);
  if (bus != nullptr) bus->watch(stream->tenant(), stream->session_id());
  return stream;
}

namespace {

// Copies the session key (tenant then id) into the stream's own allocation.
const char* place_key(char* tail, std::string_view tenant, std::string_view id) noexcept {
  if (!tenant.empty()) std::memcpy(tail, tenant.data(), tenant.size());
  if (!id.empty()) std::memcpy(tail + tenant.size(), id.data(), id.size());
  return tail;
}

}  // namespace

EventStream::EventStream(const std::shared_ptr<PublisherCore>& publisher, char* const* tail,
                         std::string_view tenant, std::string_view id, StatusBus* bus)
    : Subscriber(place_key(*tail, tenant, id), tenant.size(), id.size()),
      publisher_(publisher),
      bus_(bus) {}

EventStream::~EventStream() {
  // A stream is released before its last reference goes, except when its route
  // went away with it still open, or it was dropped before it subscribed completely.
  if (released_) return;
  if (linked()) {
    if (auto core = publisher_.lock()) core->unlink(*this);
  }
  if (bus_ != nullptr) bus_->unwatch(tenant(), session_id());
}

void EventStream::abandon() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (opened_ || !finish_locked()) return;
  }
  release();
}

void EventStream::open(std::shared_ptr<SseWriter> writer, const SharedBytes& preamble) {
  // One weak reference in the writer (SseWriterListener), not two callbacks.
  writer->listen(std::weak_ptr<SseWriterListener>(weak()));
  std::unique_lock<std::mutex> lock(mutex_);
  writer_ = std::move(writer);
  opened_ = true;
  if (finished_) {
    writer_->close();  // ended (shutdown) before it started: end the response too
    return;
  }
  const WriteResult r = writer_->write(preamble);
  bool done = r == WriteResult::closed;
  if (r == WriteResult::full) full_ = true;
  if (!done && pending_) {
    // The status read in check (or a newer change): the stream's first event.
    StatusEventPtr first = std::move(pending_);
    pending_.reset();
    wrote_event_ = true;
    last_version_ = first->version;
    if (full_) {
      pending_ = std::move(first);
    } else {
      done = write_event_locked(first);
    }
  }
  if (done && finish_locked()) {
    lock.unlock();
    release();
  }
}

bool EventStream::stale_locked(const StatusEventPtr& event) const {
  return wrote_event_ && event->version <= last_version_;
}

void EventStream::offer(const StatusEventPtr& event) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_ || !event) return;
  if (!opened_) {
    if (!pending_ || event->version > pending_->version) pending_ = event;
    return;
  }
  if (stale_locked(event)) return;
  wrote_event_ = true;
  last_version_ = event->version;
  if (full_) {
    pending_ = event;
    return;
  }
  if (write_event_locked(event) && finish_locked()) {
    lock.unlock();
    release();
  }
}

void EventStream::heartbeat(const SharedBytes& comment, std::int64_t now_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_ || full_ || !opened_) return;  // a busy connection needs no keep-alive
  const WriteResult r = writer_->write(comment);
  set_last_write_ms(now_ms);
  if (r == WriteResult::full) full_ = true;
  if (r == WriteResult::closed && finish_locked()) {
    lock.unlock();
    release();
  }
}

void EventStream::end() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (finished_) return;
  if (writer_) writer_->close();
  finish_locked();
  lock.unlock();
  release();
}

void EventStream::writable() {
  std::unique_lock<std::mutex> lock(mutex_);
  full_ = false;
  if (finished_ || !pending_) return;
  StatusEventPtr event = std::move(pending_);
  pending_.reset();
  if (write_event_locked(event) && finish_locked()) {
    lock.unlock();
    release();
  }
}

void EventStream::closed() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!finish_locked()) return;
  lock.unlock();
  release();
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

bool EventStream::finish_locked() {
  if (finished_) return false;
  finished_ = true;
  pending_.reset();
  return true;
}

void EventStream::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_) return;
    released_ = true;
  }
  if (auto core = publisher_.lock()) core->remove(*this);
  if (bus_ != nullptr) bus_->unwatch(tenant(), session_id());
  if (auto owner = owner_.lock()) owner->stream_finished(this);
}

}  // namespace eudiplo_sse::detail
