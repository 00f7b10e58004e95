#include "json_body.hpp"

namespace eudiplo_sse::server {

namespace {

// Request bodies here are flat objects; anything nested deeper is refused before
// parsing, so neither the parser nor the document's (recursive) destructor can be
// driven into a deep recursion by a hostile body.
constexpr int max_json_depth = 16;

bool nesting_within(std::string_view body, int limit) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

std::optional<rapidjson::Document> parse_json_object(std::string_view body) {
  if (!nesting_within(body, max_json_depth)) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.data(),
                                                                                    body.size());
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
