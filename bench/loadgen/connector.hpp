// Where the load generator's sockets come from: each one is bound to the next of the loopback
// source addresses 127.0.0.2..127.0.0.(1+N) before it connects, so that 15,000 streams plus the
// connections of a churn run never exhaust one address's ephemeral ports.
#pragma once
#include <asio/ip/tcp.hpp>

#include <cstddef>
#include <system_error>
#include <vector>

namespace eudiplo_sse::bench {

class Connector {
 public:
  // No source binding when `source_count` is 0 or the server is not on 127.0.0.0/8.
  Connector(asio::ip::tcp::endpoint server, int source_count);

  // Opens `socket` and binds it; then call socket.async_connect(server(), ...).
  std::error_code prepare(asio::ip::tcp::socket& socket);
  const asio::ip::tcp::endpoint& server() const { return server_; }
  std::size_t source_count() const { return sources_.size(); }

 private:
  asio::ip::tcp::endpoint server_;
  std::vector<asio::ip::tcp::endpoint> sources_;
  std::size_t next_ = 0;
};

}  // namespace eudiplo_sse::bench
