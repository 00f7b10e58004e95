// The OpenSSL client context of one Redis connection (built only with hiredis_ssl).
//
// We make the SSL objects ourselves and hand them to hiredis (redisInitiateSSL)
// rather than use hiredis's redisSSLContext, because hiredis (1.2) sets only SNI and
// never checks the certificate's NAME: with the system trust store, any publicly
// trusted certificate would pass. Owning the SSL object also lets us say WHY a
// handshake failed (hiredis reports only strerror(errno) there).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <system_error>

#include "eudiplo_sse/redis/redis_tls.hpp"

namespace eudiplo_sse::redis::detail {

class TlsContext {
 public:
  // Loads the CAs (the system store when none), and the client certificate and
  // key when given. nullptr with `ec` (errc::tls_*) when a file does not load.
  static std::unique_ptr<TlsContext> create(const RedisTlsOptions& options, std::error_code& ec);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A client session that verifies the peer's chain and `host` (DNS name or IP
  // address); nullptr when OpenSSL cannot make one. The caller owns it.
  SSL* new_session(const std::string& host) const;

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// Why the TLS session `ssl` (made by new_session) failed, read from it and from
// this thread's OpenSSL error queue, which it then clears: tls_verify_failed or
// tls_handshake_failed, and OpenSSL's reason (fixed text, never a secret) in
// `detail` (left empty when the server answered and then the socket failed).
// {} when no TLS server answered (a TCP failure).
std::error_code tls_failure(SSL* ssl, std::string& detail);

}  // namespace eudiplo_sse::redis::detail
