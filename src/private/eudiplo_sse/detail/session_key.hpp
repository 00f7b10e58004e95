// The map key of a (tenant, session id) pair. Session ids cannot contain '\n'
// (see is_valid_session_id), so "<id>\n<tenant>" is unambiguous for any tenant.
#pragma once

#include <string>
#include <string_view>

namespace eudiplo_sse::detail {

inline std::string session_key(std::string_view tenant, std::string_view id) {
  std::string key;
  key.reserve(id.size() + 1 + tenant.size());
  key.append(id).push_back('\n');
  key.append(tenant);
  return key;
}

}  // namespace eudiplo_sse::detail
