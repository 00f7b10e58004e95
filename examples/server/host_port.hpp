// HOST:PORT as --listen and --metrics-listen take it (IPv6 in brackets: [::1]:8080).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eudiplo_sse::server {

// False when `text` is not HOST:PORT with a port 0..65535 and a non-empty host.
bool parse_host_port(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace eudiplo_sse::server
