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
      case errc::connect_failed: return "cannot connect to Redis";
      case errc::tls_cert_key_pair:
        return "Redis TLS: a client certificate and its key go together";
      case errc::tls_ca_invalid: return "Redis TLS: cannot load the CA file or directory";
      case errc::tls_cert_invalid: return "Redis TLS: cannot load the client certificate";
      case errc::tls_key_invalid:
        return "Redis TLS: cannot load the client key, or it does not match the certificate";
      case errc::tls_verify_failed:
        return "Redis TLS: the server's certificate is not trusted or not for this host";
      case errc::tls_handshake_failed:
        return "Redis TLS: handshake failed (client certificate refused, or not a TLS port)";
      case errc::tls_handshake_timeout:
        return "Redis TLS: no handshake within the connect timeout (not a TLS port?)";
      case errc::auth_failed:
        return "Redis refused the URL's credentials or database (AUTH or SELECT)";
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
