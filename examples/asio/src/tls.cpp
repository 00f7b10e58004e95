#include "eudiplo_sse/asio/tls.hpp"

#include <openssl/ssl.h>

namespace eudiplo_sse::http {

std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_chain_file,
                                                            const std::string& private_key_file,
                                                            std::string& error) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  std::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression,
                   ec);
  if (ec) {
    error = "TLS options: " + ec.message();
    return nullptr;
  }
  SSL_CTX_set_options(ctx->native_handle(),
                      SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2: AEAD suites with forward secrecy only (ECDHE with AES-GCM or
  // ChaCha20-Poly1305; no static RSA, no CBC, no SHA-1 MAC), in the server's
  // order. TLS 1.3 suites all qualify already and are left to OpenSSL.
  static constexpr const char* tls12_ciphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
  if (SSL_CTX_set_cipher_list(ctx->native_handle(), tls12_ciphers) != 1) {
    error = "TLS 1.2 cipher list refused by OpenSSL";
    return nullptr;
  }
  ctx->use_certificate_chain_file(cert_chain_file, ec);
  if (ec) {
    error = "cannot use certificate chain " + cert_chain_file + ": " + ec.message();
    return nullptr;
  }
  ctx->use_private_key_file(private_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    error = "cannot use private key " + private_key_file + ": " + ec.message();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    error = "private key " + private_key_file + " does not match certificate " + cert_chain_file;
    return nullptr;
  }
  return ctx;
}

}  // namespace eudiplo_sse::http
