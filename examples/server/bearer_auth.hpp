// Bearer-token authentication of the session API (not the events route, which
// EventsRoute checks itself): 401 without or with a bad token, 403 when the token
// is valid but carries no tenant or required role, or is a session-scoped events
// token (a `sid` claim), which opens only the event stream.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "eudiplo_sse/asio/http_request.hpp"
#include "eudiplo_sse/asio/http_response.hpp"
#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse::server {

struct AuthOutcome {
  std::optional<Principal> principal;  // set when allowed
  http::HttpResponse refusal;          // the answer otherwise
};

// The token comes from `Authorization: Bearer` only. Refusals increment `failures`.
AuthOutcome authenticate(const http::HttpRequest& request, const TokenVerifier& verifier,
                         TimePoint now, std::atomic<std::uint64_t>& failures);

}  // namespace eudiplo_sse::server
