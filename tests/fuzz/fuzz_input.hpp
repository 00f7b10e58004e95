// Splitting one fuzz input into fields, the same way under libFuzzer and in the
// plain corpus replay (FuzzedDataProvider is clang-only, the replay builds anywhere).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eudiplo_sse::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // One byte, 0 when the input is used up.
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // Everything up to the next `separator` (dropped), or the rest of the input.
  std::string_view field(char separator = '\x1f') {
    const auto at = rest_.find(separator);
    std::string_view out = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return out;
  }

  std::string_view rest() const noexcept { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace eudiplo_sse::fuzz

// A fuzz target's invariant failed: abort, so libFuzzer records the input and the
// corpus replay test fails.
#define FUZZ_CHECK(condition)                                                          \
  do {                                                                                 \
    if (!(condition)) eudiplo_sse::fuzz::check_failed(#condition, __FILE__, __LINE__); \
  } while (0)

#include <cstdio>
#include <cstdlib>

namespace eudiplo_sse::fuzz {
[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}
}  // namespace eudiplo_sse::fuzz
