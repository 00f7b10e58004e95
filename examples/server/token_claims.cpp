#include "token_claims.hpp"

#include <string>

#include "json_body.hpp"
#include "oauth_token_endpoint.hpp"

namespace eudiplo_sse::server {

bool jwt_has_claim(std::string_view token, std::string_view claim) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return false;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  // base64url without padding (RFC 7515 2) -> the standard alphabet with padding.
  std::string payload(token.substr(first + 1, second - first - 1));
  for (char& c : payload) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (payload.size() % 4 != 0) payload.push_back('=');
  const auto json = base64_decode(payload);
  if (!json) return false;
  const auto doc = parse_json_object(*json);
  if (!doc) return false;
  return doc->HasMember(rapidjson::Value(rapidjson::StringRef(claim.data(), claim.size())));
}

}  // namespace eudiplo_sse::server
