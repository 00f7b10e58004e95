// The hardening limits of eudiplo_sse_server (issue 11): their flags, defaults and
// help text, kept apart from server_options.cpp so the list can grow without
// touching the contract's own flags.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace eudiplo_sse::server {

struct ServerLimits {
  // Each maps onto http::HttpServerOptions of the same meaning.
  std::chrono::seconds header_timeout{30};       // a started request must arrive whole (408)
  std::chrono::seconds idle_timeout{30};         // idle keep-alive connection
  std::chrono::seconds write_stall_timeout{60};  // client accepts no byte of a response/stream
  std::chrono::seconds tls_shutdown_timeout{2};  // wait for the client's close_notify
};

// True for a flag this file owns (each takes a value).
bool is_limit_flag(std::string_view name);

// Applies one of those flags; false (with `error`) when the value is bad.
bool apply_limit_flag(std::string_view name, std::string_view value, ServerLimits& out,
                      std::string& error);

// The lines --help shows for them.
std::string_view limit_flags_usage();

}  // namespace eudiplo_sse::server
