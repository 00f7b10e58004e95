#include "counting_new.hpp"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace eudiplo_sse::test {
namespace {

std::atomic<bool> g_on{false};
std::atomic<std::int64_t> g_allocations{0};
std::atomic<std::int64_t> g_frees{0};
std::atomic<std::int64_t> g_live_bytes{0};

void* counted_alloc(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) return nullptr;
  if (g_on.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    // Usable size, not requested size: closer to what the heap really spends.
    g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
  }
  return p;
}

void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  if (g_on.load(std::memory_order_relaxed)) {
    g_frees.fetch_add(1, std::memory_order_relaxed);
    g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
  }
  std::free(p);
}

}  // namespace

Counting::Counting() noexcept {
  g_allocations = 0;
  g_frees = 0;
  g_live_bytes = 0;
  g_on = true;
}

Counting::~Counting() { g_on = false; }

AllocationCounts Counting::counts() const noexcept {
  AllocationCounts c;
  c.allocations = g_allocations.load();
  c.frees = g_frees.load();
  c.live_bytes = g_live_bytes.load();
  return c;
}

}  // namespace eudiplo_sse::test

// The replaceable global allocation functions ([new.delete]); the aligned forms keep
// their defaults (nothing here is over-aligned).
void* operator new(std::size_t size) {
  if (void* p = eudiplo_sse::test::counted_alloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return eudiplo_sse::test::counted_alloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return eudiplo_sse::test::counted_alloc(size);
}
void operator delete(void* p) noexcept { eudiplo_sse::test::counted_free(p); }
void operator delete[](void* p) noexcept { eudiplo_sse::test::counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { eudiplo_sse::test::counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { eudiplo_sse::test::counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept {
  eudiplo_sse::test::counted_free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  eudiplo_sse::test::counted_free(p);
}
