// A test TokenVerifier: answers what the test configured for each token string.
// Unknown tokens are refused as a bad signature, an empty token as missing, and a
// configured principal whose expires_at has passed as expired (as JwtVerifier does).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse::test {

class FakeTokenVerifier final : public TokenVerifier {
 public:
  void allow(std::string token, std::string tenant, TimePoint expires_at,
             std::vector<std::string> roles = {}) {
    VerifyResult r;
    r.principal.tenant = std::move(tenant);
    r.principal.subject = "subject-of-" + token;
    r.principal.roles = std::move(roles);
    r.principal.expires_at = expires_at;
    std::lock_guard<std::mutex> lock(mutex_);
    results_[std::move(token)] = std::move(r);
  }

  void refuse(std::string token, error e) {
    VerifyResult r;
    r.error = e;
    std::lock_guard<std::mutex> lock(mutex_);
    results_[std::move(token)] = std::move(r);
  }

  VerifyResult verify(std::string_view token, TimePoint now) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.emplace_back(token);
    VerifyResult r;
    if (token.empty()) {
      r.error = error::token_missing;
      return r;
    }
    auto it = results_.find(std::string(token));
    if (it == results_.end()) {
      r.error = error::signature_invalid;
      return r;
    }
    r = it->second;
    if (!r.error && r.principal.expires_at <= now) {
      r = VerifyResult{};
      r.error = error::token_expired;
    }
    return r;
  }

  // Tokens passed to verify(), in order.
  std::vector<std::string> seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, VerifyResult> results_;
  mutable std::vector<std::string> seen_;
};

}  // namespace eudiplo_sse::test
