#include "eudiplo_sse/redis/redis_tls.hpp"

#include "eudiplo_sse/redis/redis_error.hpp"

#ifdef EUDIPLO_SSE_REDIS_TLS
#include "tls_context.hpp"
#endif

namespace eudiplo_sse::redis {

bool redis_tls_available() noexcept {
#ifdef EUDIPLO_SSE_REDIS_TLS
  return true;
#else
  return false;
#endif
}

std::error_code check_redis_tls(const RedisTlsOptions& options) {
#ifdef EUDIPLO_SSE_REDIS_TLS
  std::error_code ec;
  detail::TlsContext::create(options, ec);
  return ec;
#else
  (void)options;
  return errc::tls_unavailable;
#endif
}

}  // namespace eudiplo_sse::redis
