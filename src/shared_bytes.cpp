#include "eudiplo_sse/shared_bytes.hpp"

#include <cstring>

#include "eudiplo_sse/detail/tail_allocator.hpp"

namespace eudiplo_sse {

SharedBytes make_shared_bytes(std::string_view bytes) {
  char* tail = nullptr;
  auto view = detail::allocate_shared_with_tail<std::string_view>(bytes.size(), &tail);
  if (!bytes.empty()) std::memcpy(tail, bytes.data(), bytes.size());
  *view = std::string_view(tail, bytes.size());
  return view;
}

}  // namespace eudiplo_sse
