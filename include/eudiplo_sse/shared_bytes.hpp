// Immutable bytes shared by many writers: an event is formatted once and the same
// buffer is handed to every subscriber's SseWriter.
#pragma once

#include <memory>
#include <string>

namespace eudiplo_sse {

using SharedBytes = std::shared_ptr<const std::string>;

inline SharedBytes make_shared_bytes(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace eudiplo_sse
