// The other half of every writer's bookkeeping (beside SseWriteQueue): who hears
// that it can take more bytes, or that the response ended. That is the library's
// stream, through one weak reference (SseWriter::listen), or a host's two
// std::function callbacks (on_writable / on_closed). Header-only, no dependency.
//
// Memory (issue 12): every open stream carries this. The listener costs 16 bytes;
// the callbacks, which the library itself never registers, live in a block of
// their own made only when a host registers one (8 bytes otherwise). Two
// std::function members and the weak_ptr each held on the heap cost about 130.
//
// Not thread-safe: the writer's own lock guards it. Notifications run through a
// Call taken out under that lock and invoked after it is released.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "eudiplo_sse/sse_writer.hpp"

namespace eudiplo_sse {

class SseWriterListeners {
 public:
  // One notification, to run without the writer's lock. What it calls may throw
  // (a host's callback); that is swallowed, as it must not unwind through the
  // host's event loop. The library's never throw.
  struct Call {
    std::shared_ptr<SseWriterListener> listener;
    std::function<void()> callback;

    void writable() const noexcept {
      try {
        if (listener) listener->writable();
        if (callback) callback();
      } catch (...) {
      }
    }
    void closed() const noexcept {
      try {
        if (listener) listener->closed();
        if (callback) callback();
      } catch (...) {
      }
    }
  };

  void listen(std::weak_ptr<SseWriterListener> listener) noexcept {
    listener_ = std::move(listener);
  }
  void on_writable(std::function<void()> callback) { callbacks().writable = std::move(callback); }
  void on_closed(std::function<void()> callback) { callbacks().closed = std::move(callback); }

  // Whether a notification would reach anyone (a listener gone reaches no one).
  bool wants_writable() const noexcept {
    return !listener_.expired() || (callbacks_ && callbacks_->writable);
  }
  bool wants_closed() const noexcept {
    return !listener_.expired() || (callbacks_ && callbacks_->closed);
  }

  // For on_writable, which may fire again: the listener if it still lives, and a
  // copy of the callback.
  Call writable_call() const {
    Call call;
    call.listener = listener_.lock();
    if (callbacks_) call.callback = callbacks_->writable;
    return call;
  }

  // For on_closed, which fires once: everything is let go, so that no reference
  // cycle through the library outlives the response. The writable callback goes
  // to `writable_out`, for the caller to drop after its lock too (destroying a
  // callback may run a host's destructors).
  Call take_closed(std::function<void()>& writable_out) noexcept {
    Call call;
    call.listener = listener_.lock();
    listener_.reset();
    if (callbacks_) {
      call.callback = std::move(callbacks_->closed);
      writable_out = std::move(callbacks_->writable);
      callbacks_.reset();
    }
    return call;
  }
  // Lets go of everything without calling anyone (the writer is gone for good).
  void clear() noexcept {
    listener_.reset();
    callbacks_.reset();
  }

 private:
  struct Callbacks {
    std::function<void()> writable;
    std::function<void()> closed;
  };
  Callbacks& callbacks() {
    if (!callbacks_) callbacks_ = std::make_unique<Callbacks>();
    return *callbacks_;
  }

  std::weak_ptr<SseWriterListener> listener_;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace eudiplo_sse
