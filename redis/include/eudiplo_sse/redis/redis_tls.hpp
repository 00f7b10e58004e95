// TLS to Redis (rediss:// URLs): where the trusted CAs and the client certificate
// are. Available when the component was built against a hiredis with TLS
// (hiredis 1.x with hiredis_ssl: vcpkg hiredis[ssl], Conan hiredis:with_ssl);
// Debian 12's hiredis 0.14 has none, and rediss:// is refused with
// errc::tls_unavailable (docs/scaling.md, "TLS").
//
// The server is always verified: its certificate chain against these CAs (the
// system trust store when none is given), and its name against the URL's host
// (a DNS name, or an IP address in the certificate's IP SANs). Files are PEM.
#pragma once

#include <string>
#include <system_error>

namespace eudiplo_sse::redis {

struct RedisTlsOptions {
  std::string ca_file;    // trusted CA certificates (a bundle)
  std::string ca_dir;     // or a directory of them (c_rehash layout)
  std::string cert_file;  // client certificate chain, for tls-auth-clients yes
  std::string key_file;   // its private key (with cert_file, never alone)
};

// True when this build can connect with TLS (rediss:// parses).
bool redis_tls_available() noexcept;

// Loads the files as each connection will, so that a host can refuse bad ones at
// startup: errc::tls_unavailable, tls_cert_key_pair, tls_ca_invalid,
// tls_cert_invalid or tls_key_invalid; {} when they load.
std::error_code check_redis_tls(const RedisTlsOptions& options);

}  // namespace eudiplo_sse::redis
