#include "jwt_json.hpp"

#include <rapidjson/error/error.h>

#include <algorithm>
#include <vector>

namespace eudiplo_sse::detail {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseIterativeFlag;  // no recursion on input depth

bool has_duplicate_names(const rapidjson::Value& object) {
  const auto count = object.MemberCount();
  if (count < 2) return false;
  if (count <= 8) {  // the common case: a handful of claims, no allocation
    for (auto i = object.MemberBegin(); i != object.MemberEnd(); ++i) {
      for (auto j = i + 1; j != object.MemberEnd(); ++j) {
        if (as_view(i->name) == as_view(j->name)) return true;
      }
    }
    return false;
  }
  std::vector<std::string_view> names;
  names.reserve(count);
  for (auto i = object.MemberBegin(); i != object.MemberEnd(); ++i)
    names.push_back(as_view(i->name));
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

bool well_formed(const rapidjson::Value& value, int depth_left) {
  if (value.IsObject()) {
    if (depth_left == 0 || has_duplicate_names(value)) return false;
    for (auto i = value.MemberBegin(); i != value.MemberEnd(); ++i) {
      if ((i->value.IsObject() || i->value.IsArray()) && !well_formed(i->value, depth_left - 1)) {
        return false;
      }
    }
  } else if (value.IsArray()) {
    if (depth_left == 0) return false;
    for (const auto& element : value.GetArray()) {
      if ((element.IsObject() || element.IsArray()) && !well_formed(element, depth_left - 1)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool JsonObject::parse(std::string_view text, int max_depth) {
  // RapidJSON reads 0x00 as the end of input even when given a length, so
  // `{"tenant_id":"a"}\0{...}` would parse as its first object and ignore the
  // rest, where other JOSE libraries refuse it. Refused here, as they do. (A NUL
  // inside a string is already an error; only the one after the object was not.)
  if (text.find('\0') != std::string_view::npos) return false;
  doc_.Parse<kParseFlags>(text.data(), text.size());
  return !doc_.HasParseError() && doc_.IsObject() && well_formed(doc_, max_depth);
}

}  // namespace eudiplo_sse::detail
