// An HTTP/1.1 server on standalone Asio, plain or TLS, built for long-lived
// streaming responses next to ordinary keep-alive requests.
//
// Per connection: one mutex serialises every operation on its socket (requests
// are read, answered and streamed from any of the io_context's threads); a
// response is written straight to the socket when it has room and queued only
// for the remainder; an open stream holds no read buffer and no timer (a client
// leaving is seen by waiting for readability, and the server's sweep() handles
// request timeouts for all connections at once).
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>

#include "eudiplo_sse/asio/access_log.hpp"
#include "eudiplo_sse/asio/http_exchange.hpp"
#include "eudiplo_sse/asio/http_parser.hpp"

namespace eudiplo_sse::http {

// Runs once per request on a server thread; answers before returning, or defers
// the answer (HttpExchange::defer()).
using RequestHandler = std::function<void(HttpExchange&)>;

struct HttpServerOptions {
  HttpLimits limits;
  // Time limits, enforced by sweep() (so to about a second). Each one that bites
  // is counted in HttpServerStats.
  // Header-read timeout: a request must arrive whole within this from its first
  // byte (from the accept, or the end of the TLS handshake's start, for the first
  // one); a partial request is answered 408, a silent new connection just closed.
  std::chrono::seconds request_timeout{30};
  // An idle keep-alive connection (a response sent, no byte of the next request).
  std::chrono::seconds idle_timeout{30};
  // A response or stream whose client accepts no byte for this long is closed: a
  // stream's memory is bounded by coalescing already, this frees the socket.
  std::chrono::seconds write_stall_timeout{60};
  // A deferred answer (HttpExchange::defer()) that has not come within this is
  // replaced by 503 with Retry-After (refused_retry_after) and the connection
  // closed; the late answer is dropped. A safety net: the stores bound their own
  // waits well below it (RedisSessionStore answers store_unavailable after 2 s).
  std::chrono::seconds response_timeout{30};
  // How long a TLS close waits for the client's close_notify before it closes the
  // socket anyway (a client that never answers would otherwise pin it forever).
  std::chrono::seconds tls_shutdown_timeout{2};
  // Connection caps. A connection beyond either is answered 503 with Retry-After
  // and closed (a TLS connection is closed without an answer: a 503 would cost a
  // full handshake). Zero: no cap. No cap by default, as the right figure
  // depends on the host's descriptor limit and on whether clients share an
  // address (a reverse proxy, NAT); eudiplo_sse_server sets the total from its
  // descriptor limit.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 0;
  std::chrono::seconds refused_retry_after{5};
  // Bytes queued for a stream above which its writer answers `full`.
  std::size_t stream_high_water = 64 * 1024;
  // One entry per answered request; empty for none.
  AccessLogSink access_log;
};

struct HttpServerStats {
  std::size_t connections = 0;  // open connections, streams included
  std::size_t streams = 0;      // connections carrying a streaming response
  // Counters, since the server started: how often each time limit bit.
  std::uint64_t request_timeouts = 0;       // 408 answered, or a silent connection closed
  std::uint64_t idle_timeouts = 0;          // idle keep-alive connections closed
  std::uint64_t write_stalls = 0;           // responses and streams closed by a stalled client
  std::uint64_t response_timeouts = 0;      // deferred answers replaced by a 503
  std::uint64_t abandoned_requests = 0;     // clients that left while their answer was deferred
  std::uint64_t tls_shutdown_timeouts = 0;  // TLS closes that gave up waiting for close_notify
  std::uint64_t connections_refused = 0;    // beyond a connection cap
  std::uint64_t accept_errors = 0;          // failed accepts (EMFILE...), each followed by a pause
};

namespace detail {
class ServerCore;
}

class HttpServer {
 public:
  // With `tls`, every connection is HTTPS.
  HttpServer(asio::io_context& io, RequestHandler handler, HttpServerOptions options = {},
             std::shared_ptr<asio::ssl::context> tls = nullptr);
  // Stops accepting and closes every connection.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts accepting.
  std::error_code listen(const asio::ip::tcp::endpoint& endpoint);
  asio::ip::tcp::endpoint local_endpoint() const;

  // Applies the time limits of HttpServerOptions. Call about once a second.
  void sweep();

  // Stops accepting and ends every connection that carries no stream (one in the
  // middle of a response ends after it). Streams are left to their owner (e.g.
  // EventsRoute::close_all()), which ends them cleanly.
  void stop();

  // Closes every connection at once, streams included.
  void abort();

  HttpServerStats stats() const;

 private:
  std::shared_ptr<detail::ServerCore> core_;
};

}  // namespace eudiplo_sse::http
