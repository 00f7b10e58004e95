// Where eudiplo_sse_server's verification keys come from when they can rotate:
// --jwks FILE (reloaded when it changes and on SIGHUP), --jwks-url URL or
// --oidc-issuer URL (refreshed in the background over HTTPS). Without any of them
// the server verifies with --jwt-secret and this does nothing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include "eudiplo_sse/jwt_verifier.hpp"
#include "eudiplo_sse/key_source.hpp"
#include "server_options.hpp"

namespace eudiplo_sse::server {

// Whether the options name a key source (else the HMAC secret verifies).
bool uses_key_source(const ServerOptions& opts);

class ServerKeySource {
 public:
  using Log = std::function<void(const std::string&)>;

  ServerKeySource(asio::io_context& io, JwtVerifier& verifier, const ServerOptions& opts, Log log);
  ~ServerKeySource();
  ServerKeySource(const ServerKeySource&) = delete;
  ServerKeySource& operator=(const ServerKeySource&) = delete;

  // Before the io_context runs: loads the first key set (reads the file, or runs
  // discovery and the first fetch to completion) and starts the one-second tick
  // and SIGHUP handling. 0 on success, else the exit status, with `error` set.
  int start(std::string& error);

  // For /metrics; nullptr without a key source.
  const KeySource* source() const noexcept { return source_.get(); }

 private:
  int start_url(std::string& error);
  void arm_tick();
  void wait_hangup();

  asio::io_context& io_;
  JwtVerifier& verifier_;
  const ServerOptions& opts_;
  Log log_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  asio::signal_set hangup_;
  std::unique_ptr<KeySource> source_;
};

}  // namespace eudiplo_sse::server
