// GET /session/{id}/qr.svg: the QR code of the session's demo wallet URL, for the
// demo page. Tenant-scoped like the other session routes (Bearer token; another
// tenant's session is a 404).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "eudiplo_sse/asio/router.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/token_verifier.hpp"
#include "tenant_session.hpp"

namespace eudiplo_sse::server {

class SessionQrEndpoint {
 public:
  SessionQrEndpoint(const TokenVerifier& verifier, SessionService& sessions,
                    std::atomic<std::uint64_t>& auth_failures)
      : verifier_(verifier), sessions_(sessions), auth_failures_(auth_failures) {}

  // Adds GET /session/{id}/qr.svg; this object must outlive `router`.
  void mount(http::Router& router);

  using Completion = std::function<void(http::HttpResponse)>;

  // Hands `done` 200 image/svg+xml, or the refusal of find_tenant_session()
  // (503 with Retry-After when the store cannot answer); inline with an
  // in-memory store, later on the store's thread with Redis.
  void handle(const http::HttpRequest& request, std::string_view id, Completion done) const;

  // The Retry-After of a 503.
  std::chrono::seconds unavailable_retry_after{2};

 private:
  static http::HttpResponse answer(TenantSession found);

  const TokenVerifier& verifier_;
  SessionService& sessions_;
  std::atomic<std::uint64_t>& auth_failures_;
};

}  // namespace eudiplo_sse::server
