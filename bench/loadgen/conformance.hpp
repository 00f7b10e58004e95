// Deviations from the contract (docs/contract.md section 3) seen on the wire, counted by kind
// with the first example of each, so a benchmark run doubles as a framing check.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "json_writer.hpp"

namespace eudiplo_sse::bench {

class Conformance {
 public:
  void note(const std::string& kind, std::string_view example = {}) {
    auto [it, inserted] = counts_.try_emplace(kind, 0);
    ++it->second;
    if (inserted) examples_[kind] = std::string(example.substr(0, 300));
  }
  bool clean() const { return counts_.empty(); }
  void clear() {
    counts_.clear();
    examples_.clear();
  }
  JsonObject json() const {
    JsonObject o;
    for (const auto& [kind, count] : counts_) {
      JsonObject entry;
      entry.add_int("count", static_cast<std::int64_t>(count));
      entry.add_str("example", examples_.at(kind));
      o.add_obj(kind, entry);
    }
    return o;
  }
  const std::map<std::string, std::uint64_t>& counts() const { return counts_; }

 private:
  std::map<std::string, std::uint64_t> counts_;
  std::map<std::string, std::string> examples_;
};

}  // namespace eudiplo_sse::bench
