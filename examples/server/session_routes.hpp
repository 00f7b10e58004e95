// The session API around the events stream (contract section 5):
//   POST  /session        {"ttlSeconds":N}?   -> 201 session
//   GET   /session/{id}                      -> 200 session (the polling fallback)
//   PATCH /session/{id}   {"status":"..."}   -> 200 session, 409 terminal, 400 unknown status
// Every route is tenant-scoped by the Bearer token; another tenant's session is a 404.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "eudiplo_sse/asio/router.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse::server {

struct SessionRoutesOptions {
  std::chrono::seconds default_ttl{300};
  std::chrono::seconds max_ttl{365 * 24 * 3600};
  std::string base_path;  // for the Location of a created session
};

class SessionRoutes {
 public:
  SessionRoutes(const TokenVerifier& verifier, SessionService& sessions,
                std::atomic<std::uint64_t>& auth_failures, SessionRoutesOptions options);

  // Adds the three routes to `router`; this object must outlive it.
  void mount(http::Router& router);

  void create(http::HttpExchange& exchange);
  void get(http::HttpExchange& exchange, const std::string& id);
  void patch(http::HttpExchange& exchange, const std::string& id);

 private:
  const TokenVerifier& verifier_;
  SessionService& sessions_;
  std::atomic<std::uint64_t>& auth_failures_;
  SessionRoutesOptions options_;
};

}  // namespace eudiplo_sse::server
