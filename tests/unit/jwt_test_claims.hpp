// Test-only JWT claims builder: members as raw JSON, in insertion order.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "eudiplo_sse/clock.hpp"

namespace jwt_test {

// The fixed "now" of the JWT tests.
inline constexpr std::int64_t kNow = 1'700'000'000;
inline eudiplo_sse::TimePoint at(std::int64_t seconds) {
  return eudiplo_sse::TimePoint(std::chrono::seconds(seconds));
}

class Claims {
 public:
  // Everything a default JwtVerifier configured by the tests accepts.
  static Claims standard() {
    Claims c;
    c.set("iss", "\"issuer\"")
        .set("aud", "\"audience\"")
        .set("sub", "\"user-1\"")
        .set("tenant_id", "\"tenant-a\"")
        .set("roles", "[\"reader\"]")
        .set("iat", std::to_string(kNow - 10))
        .set("exp", std::to_string(kNow + 600));
    return c;
  }

  Claims& set(const std::string& name, const std::string& raw_json) {
    for (auto& member : members_) {
      if (member.first == name) {
        member.second = raw_json;
        return *this;
      }
    }
    members_.emplace_back(name, raw_json);
    return *this;
  }
  Claims& erase(const std::string& name) {
    for (auto it = members_.begin(); it != members_.end(); ++it) {
      if (it->first == name) {
        members_.erase(it);
        break;
      }
    }
    return *this;
  }
  // Appends even when the name exists: for duplicate-member tests.
  Claims& add_duplicate(const std::string& name, const std::string& raw_json) {
    members_.emplace_back(name, raw_json);
    return *this;
  }

  std::string json() const {
    std::string out = "{";
    for (const auto& [name, value] : members_) {
      if (out.size() > 1) out += ',';
      out += '"' + name + "\":" + value;
    }
    return out + "}";
  }

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

}  // namespace jwt_test
