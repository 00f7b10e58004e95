#include "eudiplo_sse/session.hpp"

namespace eudiplo_sse {

bool is_valid_session_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > max_session_id_length) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '~' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace eudiplo_sse
