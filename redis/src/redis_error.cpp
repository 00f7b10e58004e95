#include "eudiplo_sse/redis/redis_error.hpp"

#include <string>

namespace eudiplo_sse::redis {
namespace {

class RedisCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "eudiplo_sse.redis"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::url_invalid: return "invalid Redis URL";
      case errc::url_scheme_unsupported: return "Redis URL must start with redis:// or rediss://";
      case errc::tls_unavailable: return "rediss:// (TLS) is not available in this build";
      case errc::reply_unexpected: return "unexpected reply from Redis";
    }
    return "unknown eudiplo_sse.redis error";
  }
};

}  // namespace

const std::error_category& redis_category() noexcept {
  static const RedisCategory category;
  return category;
}

}  // namespace eudiplo_sse::redis
