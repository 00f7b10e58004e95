// The session API (examples/session_api, shared with the Beast host) mounted on the
// Asio adapter's router:
//   POST  /session        GET /session/{id}        PATCH /session/{id}
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>

#include "eudiplo_sse/asio/router.hpp"
#include "session_api.hpp"

namespace eudiplo_sse::server {

using SessionRoutesOptions = examples::SessionApiOptions;

class SessionRoutes {
 public:
  SessionRoutes(const TokenVerifier& verifier, SessionService& sessions,
                std::atomic<std::uint64_t>& auth_failures, SessionRoutesOptions options);

  // Adds the three routes to `router`; this object must outlive it.
  void mount(http::Router& router);

 private:
  void answer(http::HttpExchange& exchange, std::optional<std::string_view> id) const;

  examples::SessionApi api_;
};

}  // namespace eudiplo_sse::server
