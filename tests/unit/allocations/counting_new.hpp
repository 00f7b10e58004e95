// Counts what the global operator new hands out, for tests that hold the library to
// an allocation budget (issue 12: one allocation per event, per stream).
//
// counting_new.cpp replaces the global operator new and delete of the test binary
// that links it; counting is off until a Counting scope starts it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eudiplo_sse::test {

struct AllocationCounts {
  std::int64_t allocations = 0;  // calls to operator new
  std::int64_t frees = 0;        // calls to operator delete (of non-null pointers)
  std::int64_t live_bytes = 0;   // usable bytes allocated minus usable bytes freed
  std::int64_t live() const noexcept { return allocations - frees; }
};

// Counts every allocation, on any thread, while it exists (not reentrant).
class Counting {
 public:
  Counting() noexcept;
  ~Counting();
  Counting(const Counting&) = delete;
  Counting& operator=(const Counting&) = delete;

  // What happened since the scope began.
  AllocationCounts counts() const noexcept;
};

}  // namespace eudiplo_sse::test
