// A JSON object built field by field, in insertion order, for the result files.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eudiplo_sse::bench {

std::string json_quote(std::string_view text);

class JsonObject {
 public:
  JsonObject& add_int(std::string_view key, std::int64_t value);
  // Non-finite numbers (a rate over an empty interval) become null.
  JsonObject& add_num(std::string_view key, double value);
  JsonObject& add_bool(std::string_view key, bool value);
  JsonObject& add_str(std::string_view key, std::string_view value);
  JsonObject& add_obj(std::string_view key, const JsonObject& value);
  JsonObject& add_raw(std::string_view key, std::string json);
  bool empty() const { return fields_.empty(); }
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace eudiplo_sse::bench
