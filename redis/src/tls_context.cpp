#include "tls_context.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "eudiplo_sse/redis/redis_error.hpp"

namespace eudiplo_sse::redis::detail {
namespace {

bool is_ip_address(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

// The server's certificate has arrived (its ServerHello and Certificate, at least).
bool peer_answered(SSL* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  return SSL_get0_peer_certificate(ssl) != nullptr;
#else
  X509* cert = SSL_get_peer_certificate(ssl);
  X509_free(cert);
  return cert != nullptr;
#endif
}

std::error_code load(SSL_CTX* ctx, const RedisTlsOptions& o) {
  if (o.cert_file.empty() != o.key_file.empty()) return errc::tls_cert_key_pair;
  if (o.ca_file.empty() && o.ca_dir.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) return errc::tls_ca_invalid;
  } else if (SSL_CTX_load_verify_locations(ctx, or_null(o.ca_file), or_null(o.ca_dir)) != 1) {
    return errc::tls_ca_invalid;
  }
  if (o.cert_file.empty()) return {};
  if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
    return errc::tls_cert_invalid;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return errc::tls_key_invalid;
  }
  return {};
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::create(const RedisTlsOptions& options,
                                               std::error_code& ec) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    ec = errc::tls_ca_invalid;
    return nullptr;
  }
  std::unique_ptr<TlsContext> result(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  ec = load(ctx, options);
  // Nothing failed here is worth keeping in this thread's queue (it would be read
  // as the reason of a later handshake failure).
  ERR_clear_error();
  if (ec) return nullptr;
  return result;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

SSL* TlsContext::new_session(const std::string& host) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  bool ok = true;
  if (is_ip_address(host)) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  } else {
    // SNI (RFC 6066: never an IP literal), and the name the certificate must hold.
    ok = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
  }
  if (!ok) {
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  return ssl;
}

std::error_code tls_failure(SSL* ssl, std::string& detail) {
  std::error_code ec;
  const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  const unsigned long e = ERR_peek_last_error();
  if (verify != X509_V_OK) {
    ec = errc::tls_verify_failed;
    detail = X509_verify_cert_error_string(verify);
  } else if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL) {
    ec = errc::tls_handshake_failed;
    const char* reason = ERR_reason_error_string(e);
    detail = reason != nullptr ? reason : "unknown OpenSSL error";
  } else if (ssl != nullptr && peer_answered(ssl)) {
    // A TLS server answered, then the socket failed: Redis refusing our certificate
    // may reset the connection before its alert is read. Still the handshake.
    ec = errc::tls_handshake_failed;
  }
  ERR_clear_error();
  return ec;
}

}  // namespace eudiplo_sse::redis::detail
