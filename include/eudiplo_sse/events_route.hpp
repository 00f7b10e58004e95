// GET /session/{id}/events, independent of any HTTP library.
//
// A host mounts it in three steps:
//
//   auto response = route.check({id, query_token, authorization, last_event_id});
//   send(response.status, response.headers, response.body);   // the host's HTTP stack
//   if (response.is_stream()) route.open(std::move(response), my_sse_writer);
//
// check() returns on the caller's thread, which suits an in-memory store. With a
// store across the network (RedisSessionStore, a host's database) it would wait
// for the store's reply, so such hosts call async_check() instead and do the
// last two steps in its handler:
//
//   route.async_check(request, [](EventsResponse response) { /* send, open */ });
//
// Either way the session is read once per stream open: the route subscribes to
// the session's changes first, then reads the store, so no change is lost in
// between.
//
// and calls route.tick() about once a second (heartbeats, token expiry). The route
// keeps no thread or timer of its own.
//
// check() answers in the order of contract section 3: 401 (no or invalid token,
// or one whose Principal::expires_at has passed), 403 (no tenant claim or required
// role, or a token bound to another session: error::session_mismatch), 400
// (malformed id), 404 (unknown session or another tenant's), 204 (Last-Event-ID
// names the terminal event), 503 with Retry-After (the store could not answer:
// error::store_unavailable), 429 with Retry-After (the session has its
// EventsRouteOptions::max_streams_per_session open: error::too_many_streams).
// Bodies are JSON and never contain the token.
//
// open() sends `retry:` and the current status at once, then every change,
// `: keep-alive` whenever a stream was silent for up to one heartbeat interval
// (give or take one tick; some come early, so that the streams' keep-alives
// spread over the interval instead of all falling in one tick), and ends the response after a
// terminal status or when the token expires (Principal::expires_at, which for
// JwtVerifier is exp plus the leeway: the instant check() starts refusing it).
//
// Thread safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/http.hpp"
#include "eudiplo_sse/session.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/sse_writer.hpp"
#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse {

struct EventsRequest {
  std::string_view session_id;     // the path segment, percent-decoded
  std::string_view query_token;    // the `token` query parameter, decoded; empty if absent
  std::string_view authorization;  // the Authorization header; empty if absent (wins if Bearer)
  std::string_view last_event_id;  // the Last-Event-ID header; empty if absent
};

struct EventsRouteOptions {
  std::chrono::milliseconds retry{3000};
  std::chrono::seconds heartbeat{15};
  // The Retry-After of a 503 (the session store could not answer).
  std::chrono::seconds unavailable_retry_after{2};
  // Streams one session may have open in this process (a wallet page or a few
  // browser tabs need a handful); one more is answered 429 with Retry-After
  // `full_retry_after`, after the checks of the contract's order (so 401, 404 and
  // 204 still come first). 0: no cap. Counted on the publisher's entry for the
  // session, which every follower of it joins anyway: the cap costs no memory
  // per stream. Host subscriptions (StatusPublisher::subscribe) count too.
  std::size_t max_streams_per_session = 0;
  std::chrono::seconds full_retry_after{10};
};

namespace detail {
class EventsRouteCore;
class StreamFeed;
}  // namespace detail

// What to answer: a complete refusal (status, headers, body), a 204, or the head
// of a stream (status 200) to pass back to EventsRoute::open().
struct EventsResponse {
  int status = 500;
  std::vector<HttpHeader> headers;
  std::string body;

  bool is_stream() const noexcept { return status == 200; }
  // For a stream: the authenticated tenant, for a host's own accounting (a cap on
  // streams per session must key on tenant and id: ids are unique per tenant only).
  const std::string& tenant() const noexcept { return principal_.tenant; }

 private:
  // Who asked, and for which session: the route's own state, carried from check()
  // to open() and opaque to the host.
  friend class EventsRoute;
  Principal principal_;
  std::string session_id_;
  // The session's subscription, registered before the store was read; the
  // stream takes it over in open(). Dropping the response drops it.
  std::shared_ptr<detail::StreamFeed> feed_;
};

// The route's refusal for `status`: the contract's JSON body, and for 401 the
// WWW-Authenticate challenge (www_authenticate_value). Hosts use it for the answers
// they make themselves on this route (400 for a malformed target, 405, ...).
EUDIPLO_SSE_EXPORT EventsResponse refuse(int status, std::string_view message);

// The one bearer-token refusal: 403 when `verify_error` is auth_failure::forbidden,
// else 401 with the challenge. The body holds the error's fixed message, never the
// token. Hosts use it for their own bearer-protected routes too.
EUDIPLO_SSE_EXPORT EventsResponse refuse_token(std::error_code verify_error);

struct EventsRouteStats {
  std::uint64_t open_streams = 0;
  std::uint64_t streams_opened = 0;
  std::uint64_t events_sent = 0;
  std::uint64_t unauthorized = 0;     // 401 answers
  std::uint64_t forbidden = 0;        // 403 answers
  std::uint64_t streams_refused = 0;  // 429 answers (max_streams_per_session)
};

class EUDIPLO_SSE_EXPORT EventsRoute {
 public:
  EventsRoute(const TokenVerifier& verifier, SessionService& sessions,
              EventsRouteOptions options = {});
  // Ends every open stream (as close_all()).
  ~EventsRoute();
  EventsRoute(const EventsRoute&) = delete;
  EventsRoute& operator=(const EventsRoute&) = delete;

  using CheckHandler = std::function<void(EventsResponse)>;

  // The answer for `request`. With a network store this waits for the store's
  // reply (bounded by the store's own wait): never call it on an I/O thread
  // there; use async_check().
  EventsResponse check(const EventsRequest& request) const;

  // The same answer, handed to `handler` exactly once: inline (before
  // async_check returns) when the token is refused or the store completes
  // inline, else later on the store's thread. The handler must not block; it
  // may call open() at once or post it to the connection's executor. The
  // request's string_views need only live until async_check returns.
  void async_check(const EventsRequest& request, CheckHandler handler) const;

  // Starts the stream for a response whose is_stream() is true; ignores others.
  void open(EventsResponse&& response, std::shared_ptr<SseWriter> writer);

  // Sends heartbeats when due and ends streams whose token has expired.
  void tick();

  // Ends every open stream (shutdown).
  void close_all();

  EventsRouteStats stats() const;
  const EventsRouteOptions& options() const noexcept { return options_; }

 private:
  // The token checks, in the contract's order: a refusal, or nothing and the
  // verified principal in `principal`.
  std::optional<EventsResponse> refuse_request(const EventsRequest& request,
                                               Principal& principal) const;

  const TokenVerifier& verifier_;
  SessionService& sessions_;
  EventsRouteOptions options_;
  std::shared_ptr<detail::EventsRouteCore> core_;
};

// Extracts the token: a `Bearer` Authorization header wins over the query
// parameter. Empty when there is none.
EUDIPLO_SSE_EXPORT std::string_view select_token(std::string_view authorization,
                                                 std::string_view query_token) noexcept;

}  // namespace eudiplo_sse
