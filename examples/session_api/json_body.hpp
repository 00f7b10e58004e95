// Request bodies as JSON objects, read with RapidJSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace eudiplo_sse::server {

// Parses `body` as one JSON object (valid UTF-8, nothing after it but whitespace,
// nested at most 16 deep).
// std::nullopt when it is not.
std::optional<rapidjson::Document> parse_json_object(std::string_view body);

// True when `body` holds only whitespace (an omitted optional body).
bool is_blank(std::string_view body) noexcept;

// A member that must be a string when present. `ok` turns false when it is not.
std::optional<std::string> string_member(const rapidjson::Value& object, const char* name,
                                         bool& ok);

}  // namespace eudiplo_sse::server
