#include "connector.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace eudiplo_sse::bench {

Connector::Connector(asio::ip::tcp::endpoint server, int source_count) : server_(server) {
  const auto address = server.address();
  if (!address.is_v4() || (address.to_v4().to_uint() >> 24) != 127) return;
  for (int i = 0; i < source_count; ++i) {
    sources_.emplace_back(asio::ip::address_v4(0x7F000002u + static_cast<unsigned>(i)), 0);
  }
}

std::error_code Connector::prepare(asio::ip::tcp::socket& socket) {
  std::error_code ec;
  socket.open(server_.protocol(), ec);
  if (ec || sources_.empty()) return ec;
  // Without this, bind() would pick the port at once, from that address's range alone and
  // blind to the destination; with it the kernel chooses at connect() per 4-tuple.
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.bind(sources_[next_], ec);
  next_ = (next_ + 1) % sources_.size();
  return ec;
}

}  // namespace eudiplo_sse::bench
