#include "json_writer.hpp"

#include <cmath>
#include <cstdio>

namespace eudiplo_sse::bench {

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

JsonObject& JsonObject::add_int(std::string_view key, std::int64_t value) {
  return add_raw(key, std::to_string(value));
}

JsonObject& JsonObject::add_num(std::string_view key, double value) {
  if (!std::isfinite(value)) return add_raw(key, "null");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return add_raw(key, buf);
}

JsonObject& JsonObject::add_bool(std::string_view key, bool value) {
  return add_raw(key, value ? "true" : "false");
}

JsonObject& JsonObject::add_str(std::string_view key, std::string_view value) {
  return add_raw(key, json_quote(value));
}

JsonObject& JsonObject::add_obj(std::string_view key, const JsonObject& value) {
  return add_raw(key, value.str());
}

JsonObject& JsonObject::add_raw(std::string_view key, std::string json) {
  fields_.emplace_back(std::string(key), std::move(json));
  return *this;
}

std::string JsonObject::str() const {
  std::string out = "{";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (i != 0) out += ',';
    out += json_quote(fields_[i].first);
    out += ':';
    out += fields_[i].second;
  }
  out += '}';
  return out;
}

}  // namespace eudiplo_sse::bench
