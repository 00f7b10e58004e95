#include "eudiplo_sse/asio/write_queue.hpp"

#include <utility>

namespace eudiplo_sse::http {

void WriteQueue::push(SharedBytes bytes, std::size_t offset) {
  if (!bytes || offset >= bytes->size()) return;
  pending_ += bytes->size() - offset;
  items_.push_back({std::move(bytes), offset});
}

std::size_t WriteQueue::gather(std::string_view* out, std::size_t max) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = head_; i < items_.size() && n < max; ++i, ++n) {
    const auto& item = items_[i];
    out[n] = std::string_view(item.bytes->data() + item.offset, item.bytes->size() - item.offset);
  }
  return n;
}

void WriteQueue::consume(std::size_t n) noexcept {
  if (n > pending_) n = pending_;
  pending_ -= n;
  while (n > 0 && head_ < items_.size()) {
    auto& item = items_[head_];
    const std::size_t left = item.bytes->size() - item.offset;
    if (n < left) {
      item.offset += n;
      return;
    }
    n -= left;
    item.bytes.reset();
    ++head_;
  }
  if (pending_ == 0) {
    // An idle stream keeps no queue storage at all.
    clear();
  } else if (head_ > 32 && head_ * 2 > items_.size()) {
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void WriteQueue::clear() noexcept {
  std::vector<Item>().swap(items_);
  head_ = 0;
  pending_ = 0;
}

}  // namespace eudiplo_sse::http
