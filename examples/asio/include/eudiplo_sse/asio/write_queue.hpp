// Bytes accepted for a connection and not yet written: a FIFO of shared buffers
// with the offset reached in the first one. No copies: an event formatted once
// is referenced by every queue it waits in.
//
// Not thread-safe; the connection guards it with its mutex.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "eudiplo_sse/shared_bytes.hpp"

namespace eudiplo_sse::http {

class WriteQueue {
 public:
  // Queues `bytes` from `offset` on; nothing is queued when that is empty.
  void push(SharedBytes bytes, std::size_t offset = 0);

  bool empty() const noexcept { return pending_ == 0; }
  // Bytes not yet written.
  std::size_t size() const noexcept { return pending_; }

  // Fills `out` with up to `max` views of the next pending bytes; returns the count.
  std::size_t gather(std::string_view* out, std::size_t max) const noexcept;

  // Marks `n` bytes (at most size()) as written and drops finished buffers.
  void consume(std::size_t n) noexcept;

  // Drops everything and frees the storage.
  void clear() noexcept;

 private:
  struct Item {
    SharedBytes bytes;
    std::size_t offset;
  };
  std::vector<Item> items_;
  std::size_t head_ = 0;  // first unfinished item
  std::size_t pending_ = 0;
};

}  // namespace eudiplo_sse::http
