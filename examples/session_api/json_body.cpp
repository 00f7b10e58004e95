#include "json_body.hpp"

namespace eudiplo_sse::server {

std::optional<rapidjson::Document> parse_json_object(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  return doc;
}

bool is_blank(std::string_view body) noexcept {
  for (const char c : body) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

std::optional<std::string> string_member(const rapidjson::Value& object, const char* name,
                                         bool& ok) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString()) {
    ok = false;
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace eudiplo_sse::server
