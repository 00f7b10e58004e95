// SseWriteQueue: the flow-control core of an SseWriter, for hosts that write one
// (BasicSseStreamWriter, BlockingSseWriter and the example server's connection sit on it).
//
// It holds the bytes a writer has accepted and not yet written: a FIFO of shared
// buffers (an event formatted once is referenced by every queue it waits in,
// never copied), with the offset reached in the first one. Around it, the rules
// every writer needs and that are easy to get subtly wrong:
// - push() past the high-water mark answers WriteResult::full and remembers that
//   the library now waits for on_writable;
// - consume() tells the writer when to fire on_writable: once, when the queue
//   has drained to half the high-water mark (not at once below it, so a writer
//   near the mark does not flap between full and writable);
// - close() makes every later push() answer `closed`, and drained() says when
//   everything accepted before it has been written: end the response then.
//
// The writer does the I/O: gather() gives views of the next bytes for a
// scatter/gather write, consume() takes the count the socket accepted.
//
// Memory: an idle queue holds no storage at all (it is allocated by the first
// push() and freed when the queue drains), so a stream waiting for its next event
// costs one pointer and two flags here. The high-water mark is the caller's
// (usually one figure for the whole server), passed to each call for the same
// reason.
//
// Not thread-safe: the writer guards it with its own lock. Header-only, no
// dependency beyond the standard library.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "eudiplo_sse/shared_bytes.hpp"
#include "eudiplo_sse/sse_writer.hpp"

namespace eudiplo_sse {

class SseWriteQueue {
 public:
  // Queues `bytes` from `offset` on (an offset at or past the end queues nothing).
  // `closed` after close(); `full` while more than `high_water` bytes wait;
  // `accepted` otherwise. Empty bytes are accepted and not queued.
  WriteResult push(SharedBytes bytes, std::size_t high_water, std::size_t offset = 0) {
    if (closing_) return WriteResult::closed;
    if (bytes && offset < bytes->size()) {
      if (!storage_) storage_ = std::make_unique<Storage>();
      storage_->pending += bytes->size() - offset;
      storage_->items.push_back({std::move(bytes), offset});
    }
    if (size() > high_water) {
      want_writable_ = true;
      return WriteResult::full;
    }
    return WriteResult::accepted;
  }

  // No more bytes: push() answers `closed` from now on.
  void close() noexcept { closing_ = true; }
  bool closing() const noexcept { return closing_; }
  // Closed, and everything accepted before has been written: end the response.
  bool drained() const noexcept { return closing_ && empty(); }

  bool empty() const noexcept { return !storage_; }
  // Bytes accepted and not yet consumed.
  std::size_t size() const noexcept { return storage_ ? storage_->pending : 0; }
  // True while bytes wait (and only then is memory held), for tests and accounting.
  bool holds_storage() const noexcept { return storage_ != nullptr; }
  // True after push() answered `full`, until consume() says to notify.
  bool wants_writable() const noexcept { return want_writable_; }

  // Fills `out` with views of the next pending bytes, at most `max` of them, and
  // returns how many. They stay valid until those bytes are consumed or clear()ed,
  // whatever is pushed meanwhile.
  std::size_t gather(std::string_view* out, std::size_t max) const noexcept {
    if (!storage_) return 0;
    std::size_t n = 0;
    const auto& items = storage_->items;
    for (std::size_t i = storage_->head; i < items.size() && n < max; ++i, ++n) {
      out[n] = std::string_view(items[i].bytes->data() + items[i].offset,
                                items[i].bytes->size() - items[i].offset);
    }
    return n;
  }

  // Marks the first `n` pending bytes (clamped to size()) as written and drops the
  // buffers they finish. Returns true when the writer must fire on_writable now: a
  // push() answered `full`, and at most half of `high_water` is left. True once per
  // `full`. The storage is freed when the queue drains.
  bool consume(std::size_t n, std::size_t high_water) noexcept {
    if (!storage_) return take_writable(high_water);
    Storage& s = *storage_;
    if (n > s.pending) n = s.pending;
    s.pending -= n;
    while (n > 0) {
      Item& item = s.items[s.head];
      const std::size_t left = item.bytes->size() - item.offset;
      if (n < left) {
        item.offset += n;
        break;
      }
      n -= left;
      item.bytes.reset();
      ++s.head;
    }
    if (s.pending == 0) {
      storage_.reset();  // an idle stream keeps no queue storage at all
    } else if (s.head > 32 && s.head * 2 > s.items.size()) {
      // Finished buffers accumulate at the front; compact now and then.
      s.items.erase(s.items.begin(), s.items.begin() + static_cast<std::ptrdiff_t>(s.head));
      s.head = 0;
    }
    return take_writable(high_water);
  }

  // Drops every pending byte and frees the storage (the client has gone). A
  // pending on_writable is forgotten: a gone writer never becomes writable.
  void clear() noexcept {
    storage_.reset();
    want_writable_ = false;
  }

 private:
  struct Item {
    SharedBytes bytes;
    std::size_t offset;  // bytes of `bytes` already written
  };
  struct Storage {
    std::vector<Item> items;
    std::size_t head = 0;     // first unfinished item
    std::size_t pending = 0;  // bytes from items[head] + offset on
  };

  bool take_writable(std::size_t high_water) noexcept {
    if (!want_writable_ || size() > high_water / 2) return false;
    want_writable_ = false;
    return true;
  }

  std::unique_ptr<Storage> storage_;
  bool want_writable_ = false;
  bool closing_ = false;
};

}  // namespace eudiplo_sse
