// The session API around the events stream (contract section 5), independent of
// any HTTP library, so every example host answers it the same way:
//   POST  /session        {"ttlSeconds":N}?   -> 201 session, Location
//   GET   /session/{id}                      -> 200 session (the polling fallback)
//   PATCH /session/{id}   {"status":"..."}   -> 200 session, 409 terminal, 400 unknown status
// Every route takes a Bearer token from the Authorization header (refused with the
// library's one 401/403 answer, eudiplo_sse::refuse_token) and is tenant-scoped:
// another tenant's session is a 404. A malformed id is a 400. A store that cannot
// answer (Redis unreachable) gets 503 with Retry-After.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/http.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse::examples {

struct SessionApiOptions {
  std::chrono::seconds default_ttl{300};
  std::chrono::seconds max_ttl{365 * 24 * 3600};
  std::string base_path;                            // for the Location of a created session
  std::chrono::seconds unavailable_retry_after{2};  // Retry-After of a 503
};

struct ApiRequest {
  std::string_view method;
  std::optional<std::string_view> id;  // the decoded {id} of /session/{id}; none for /session
  std::string_view authorization;      // the Authorization header; empty if absent
  std::string_view body;
};

struct ApiResponse {
  int status = 500;
  std::vector<HttpHeader> headers;  // Content-Type (JSON), Cache-Control, Location, ...
  std::string body;
};

class SessionApi {
 public:
  // `auth_failures` counts refused tokens (for /metrics).
  SessionApi(const TokenVerifier& verifier, SessionService& sessions,
             std::atomic<std::uint64_t>& auth_failures, SessionApiOptions options);

  using Completion = std::function<void(ApiResponse)>;

  // Answers a request for /session or /session/{id}; 405 for other methods.
  // Completion-based: `done` runs exactly once, inline with an in-memory store,
  // later on the store's thread with a network store (RedisSessionStore). The
  // request's views need only live until async_handle returns.
  void async_handle(const ApiRequest& request, Completion done) const;

  // The same, waiting for the store: fine in memory; with a network store it
  // blocks the calling thread for up to the store's bounded wait. For the
  // thread-per-request hosts (Beast, cpp-httplib examples); eudiplo_sse_server
  // answers from async_handle's completion instead (a deferred answer).
  ApiResponse handle(const ApiRequest& request) const;

 private:
  void create(const Principal& who, std::string_view body, Completion done) const;
  void get(const Principal& who, std::string_view id, Completion done) const;
  void patch(const Principal& who, std::string_view id, std::string_view body,
             Completion done) const;

  const TokenVerifier& verifier_;
  SessionService& sessions_;
  std::atomic<std::uint64_t>& auth_failures_;
  SessionApiOptions options_;
};

}  // namespace eudiplo_sse::examples
