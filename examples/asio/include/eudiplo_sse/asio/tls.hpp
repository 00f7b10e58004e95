// HTTPS: the server-side TLS context, from a PEM certificate chain and key.
#pragma once

#include <memory>
#include <string>

#include <asio/ssl/context.hpp>

namespace eudiplo_sse::http {

// TLS 1.2 and 1.3 only, no compression or renegotiation. On failure returns
// nullptr and a message fit for an operator (file names, OpenSSL's reason).
std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_chain_file,
                                                            const std::string& private_key_file,
                                                            std::string& error);

}  // namespace eudiplo_sse::http
