// The hardening limits of eudiplo_sse_server (issue 11): their flags, defaults and
// help text, kept apart from server_options.cpp so the list can grow without
// touching the contract's own flags.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace eudiplo_sse::server {

struct ServerLimits {
  // Each maps onto http::HttpServerOptions of the same meaning.
  std::chrono::seconds header_timeout{30};       // a started request must arrive whole (408)
  std::chrono::seconds idle_timeout{30};         // idle keep-alive connection
  std::chrono::seconds write_stall_timeout{60};  // client accepts no byte of a response/stream
  std::chrono::seconds tls_shutdown_timeout{2};  // wait for the client's close_notify
  // Connection caps (http::HttpServerOptions): 503 + Retry-After beyond them.
  // Total 0: the descriptor limit (RLIMIT_NOFILE) less a reserve, see
  // effective_max_connections(). Per address 0: none, since clients behind one
  // proxy or NAT (and every loopback benchmark) share an address.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 0;
  // Open event streams per session and per token (429 beyond); 0: no cap.
  std::size_t max_streams_per_session = 64;
  std::size_t max_streams_per_token = 0;
  // The longest ttlSeconds POST /session accepts.
  std::chrono::seconds max_session_ttl{86400};
  // Live (not terminal) sessions per tenant; POST /session answers 429 beyond.
  // 0: no cap. 10,000 is far above what one issuer's or verifier's wallet flows
  // hold open at a time (at the default 300 s TTL it takes 33 creates a second,
  // sustained), yet bounds what one tenant's leaked client secret can pin.
  std::size_t max_sessions_per_tenant = 10000;
  // --metrics-listen HOST:PORT: /metrics is served there only (and answers 404 on
  // the main listener). Empty host: on the main listener, as before.
  std::string metrics_listen_host;
  std::uint16_t metrics_listen_port = 0;
  // When set, GET /metrics needs `Authorization: Bearer <this>` (a scrape token).
  std::string metrics_token;
};

// True for a flag this file owns (each takes a value).
bool is_limit_flag(std::string_view name);

// Applies one of those flags; false (with `error`) when the value is bad.
bool apply_limit_flag(std::string_view name, std::string_view value, ServerLimits& out,
                      std::string& error);

// --max-connections, or when 0 the soft descriptor limit less 64 (descriptors
// for listening, logs, the JWKS fetch, ...), at least 1.
std::size_t effective_max_connections(const ServerLimits& limits);

// The lines --help shows for them.
std::string_view limit_flags_usage();

}  // namespace eudiplo_sse::server
