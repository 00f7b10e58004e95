// The command line of eudiplo_sse_httplib_host (the same flags as the Beast host's).
#pragma once

#include <chrono>
#include <string>

namespace httplib_host {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string secret = "eudiplo-sse-httplib-host-dev-secret-change-me";
  std::string issuer = "eudiplo-service";
  std::chrono::seconds heartbeat{15};
  std::chrono::seconds session_ttl{300};
  std::chrono::milliseconds retry{3000};
  // One pool thread per open stream plus the short requests: 256 streams by default.
  unsigned threads = 264;
};

// False (with a message on stderr) on an unknown flag or a bad value.
bool parse_options(int argc, char** argv, Options& options);

}  // namespace httplib_host
