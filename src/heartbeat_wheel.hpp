// A timing wheel for keep-alives: items are filed under the slot of the time their
// next keep-alive is due, and each tick takes only the slots that came due since the
// previous one. With 64 slots per interval, a tick every second and a 15 s interval,
// a tick looks at about 1/15 of the streams instead of writing to all of them at once
// (which stalled every other event behind one long handler: issue 12).
//
// Intrusive (the links live in the item, guarded by the wheel's mutex) so that
// filing costs no allocation and removing a finished stream is O(1). An item that
// was remove()d is retired: later schedule() calls ignore it, so a sweep racing with
// the stream's end cannot file a pointer that is about to dangle.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

namespace eudiplo_sse::detail {

template <typename T>
struct WheelLinks {
  T* prev = nullptr;
  T* next = nullptr;
  std::int64_t slot = -1;  // absolute slot number while filed, else -1
  bool retired = false;
};

// T exposes `WheelLinks<T>& wheel_links()`.
template <typename T>
class HeartbeatWheel {
 public:
  static constexpr std::int64_t slots_per_interval = 64;
  // Twice the interval, so every due time up to one interval ahead of the cursor has
  // its own slot even when ticks come late.
  static constexpr std::int64_t ring_size = 2 * slots_per_interval;

  HeartbeatWheel(std::int64_t interval_ms, std::int64_t now_ms)
      : slot_ms_(std::max<std::int64_t>(1, interval_ms / slots_per_interval)),
        cursor_(now_ms / slot_ms_),
        heads_(static_cast<std::size_t>(ring_size), nullptr) {}

  std::int64_t slot_ms() const noexcept { return slot_ms_; }

  // Files `item` (again) under the slot holding `due_ms`, clamped into the window
  // the wheel can hold: earlier than the cursor means "at the next sweep".
  void schedule(T* item, std::int64_t due_ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    link_locked(item, due_ms);
  }
  template <typename It>
  void schedule_all(It first, It last) {  // pairs of (T*, due_ms)
    std::lock_guard<std::mutex> lock(mutex_);
    for (; first != last; ++first) link_locked(first->first, first->second);
  }

  // Unfiles `item` for good.
  void remove(T* item) {
    std::lock_guard<std::mutex> lock(mutex_);
    unlink_locked(item);
    item->wheel_links().retired = true;
  }

  // Unfiles every item of the slots that began at or before `now_ms` and were not
  // swept yet, calling take(T*) on each under the lock (the caller keeps it alive
  // from there). Returns the end of the last slot swept: an item whose keep-alive
  // is due before it is due now (at most one slot early).
  template <typename Fn>
  std::int64_t take_due(std::int64_t now_ms, Fn&& take) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::int64_t last = now_ms / slot_ms_;
    // The clock went back by more than the wheel spans: sweep everything once.
    if (last < cursor_ - ring_size) cursor_ = last - ring_size + 1;
    if (last < cursor_) return cursor_ * slot_ms_;
    // More than a full turn since the last sweep: every slot is due once.
    const std::int64_t first = std::max(cursor_, last - ring_size + 1);
    for (std::int64_t a = first; a <= last; ++a) {
      T*& head = heads_[index(a)];
      while (T* item = head) {
        unlink_locked(item);
        take(item);
      }
    }
    cursor_ = last + 1;
    return cursor_ * slot_ms_;
  }

 private:
  std::size_t index(std::int64_t slot) const {
    return static_cast<std::size_t>(((slot % ring_size) + ring_size) % ring_size);
  }

  void link_locked(T* item, std::int64_t due_ms) {
    WheelLinks<T>& l = item->wheel_links();
    if (l.retired) return;
    unlink_locked(item);
    const std::int64_t slot = std::clamp(due_ms / slot_ms_, cursor_, cursor_ + ring_size - 1);
    T*& head = heads_[index(slot)];
    l.slot = slot;
    l.prev = nullptr;
    l.next = head;
    if (head) head->wheel_links().prev = item;
    head = item;
  }

  void unlink_locked(T* item) {
    WheelLinks<T>& l = item->wheel_links();
    if (l.slot < 0) return;
    if (l.prev) {
      l.prev->wheel_links().next = l.next;
    } else {
      heads_[index(l.slot)] = l.next;
    }
    if (l.next) l.next->wheel_links().prev = l.prev;
    l = WheelLinks<T>{nullptr, nullptr, -1, l.retired};
  }

  std::mutex mutex_;
  const std::int64_t slot_ms_;
  std::int64_t cursor_;  // the next absolute slot number to sweep
  std::vector<T*> heads_;
};

}  // namespace eudiplo_sse::detail
