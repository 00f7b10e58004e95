// Immutable bytes shared by many writers: an event is formatted once and the same
// buffer is handed to every subscriber's SseWriter.
//
// A shared pointer to a view: `bytes->data()`, `bytes->size()` and `*bytes` read
// the bytes, and the pointer's ownership keeps them alive. The view, rather than a
// std::string, lets the bytes live in the same allocation as what owns them: a
// status event is one allocation holding its SSE bytes (sse_bytes(), no copy).
#pragma once

#include <memory>
#include <string_view>

#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

using SharedBytes = std::shared_ptr<const std::string_view>;

// A copy of `bytes` in one allocation (the view and the characters together).
EUDIPLO_SSE_EXPORT SharedBytes make_shared_bytes(std::string_view bytes);

}  // namespace eudiplo_sse
