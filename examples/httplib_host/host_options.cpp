#include "host_options.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace httplib_host {
namespace {

void apply(Options& o, const std::string& flag, const std::string& value) {
  if (flag == "--listen") {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("HOST:PORT");
    o.host = value.substr(0, colon);
    o.port = std::stoi(value.substr(colon + 1));
    if (o.port < 0 || o.port > 65535) throw std::out_of_range("port");
  } else if (flag == "--jwt-secret") {
    o.secret = value;
  } else if (flag == "--issuer") {
    o.issuer = value;
  } else if (flag == "--heartbeat") {
    o.heartbeat = std::chrono::seconds(std::max(1L, std::stol(value)));
  } else if (flag == "--session-ttl") {
    o.session_ttl = std::chrono::seconds(std::max(1L, std::stol(value)));
  } else if (flag == "--retry") {
    o.retry = std::chrono::milliseconds(std::max(0L, std::stol(value)));
  } else if (flag == "--threads") {
    o.threads = std::max(2u, static_cast<unsigned>(std::stoul(value)));
  } else {
    throw std::logic_error("unknown flag");
  }
}

}  // namespace

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      return false;
    }
    try {
      apply(options, flag, argv[i + 1]);
    } catch (const std::logic_error& e) {
      std::cerr << (std::string(e.what()) == "unknown flag" ? "unknown flag " : "bad value for ")
                << flag << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace httplib_host
