// One allocation for a shared object and the variable-length bytes it refers to.
//
// std::allocate_shared puts the control block and the object in one block; this
// allocator makes that block `tail` bytes longer and reports where the extra bytes
// start, so an object can keep views (string_views) into its own allocation. A
// status event, its SSE bytes and its ids then cost one allocation instead of one
// per string (issue 12), and a stream's session key lives inside the stream.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace eudiplo_sse::detail {

template <typename T>
class TailAllocator {
 public:
  using value_type = T;

  // `tail_out`, if given, receives the start of the tail when the block is allocated.
  TailAllocator(std::size_t tail, char** tail_out) noexcept : tail_(tail), tail_out_(tail_out) {}
  template <typename U>
  TailAllocator(const TailAllocator<U>& other) noexcept  // NOLINT: rebinding must be implicit
      : tail_(other.tail_), tail_out_(other.tail_out_) {}

  T* allocate(std::size_t n) {
    char* block = static_cast<char*>(::operator new(n * sizeof(T) + tail_));
    if (tail_out_ != nullptr) *tail_out_ = block + n * sizeof(T);
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(static_cast<void*>(p)); }

  template <typename U>
  bool operator==(const TailAllocator<U>& other) const noexcept {
    return tail_ == other.tail_;
  }
  template <typename U>
  bool operator!=(const TailAllocator<U>& other) const noexcept {
    return !(*this == other);
  }

 private:
  template <typename U>
  friend class TailAllocator;
  std::size_t tail_;
  char** tail_out_;
};

// A shared T constructed from `args`, followed in the same allocation by `tail`
// bytes whose start is stored in `*tail_out` before T's constructor runs.
template <typename T, typename... Args>
std::shared_ptr<T> allocate_shared_with_tail(std::size_t tail, char** tail_out, Args&&... args) {
  return std::allocate_shared<T>(TailAllocator<T>(tail, tail_out), std::forward<Args>(args)...);
}

}  // namespace eudiplo_sse::detail
