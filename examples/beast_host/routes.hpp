// The host's routes, on Boost.Beast's request and response types:
//
//   POST  /session               {"ttlSeconds":N}?    -> 201 session JSON
//   GET   /session/{id}                               -> 200 session JSON
//   PATCH /session/{id}          {"status":"fetched"} -> 200 session JSON (409 if terminal)
//   GET   /session/{id}/events?token=JWT              -> eudiplo_sse::EventsRoute
//   GET   /healthz                                    -> 200 {"status":"ok","openStreams":N}
//
// Every /session route needs a Bearer token (the events route also takes it from
// the query, as EventSource cannot send headers) and sees only its tenant's sessions.
// The session API is examples/session_api, the same handler the Asio server mounts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/session_service.hpp>
#include <eudiplo_sse/token_verifier.hpp>

#include "session_api.hpp"

namespace beast_host {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Answer {
  Response response;  // sent as is, unless `events` is a stream
  // events.is_stream(): send its status and headers through the installed SseStreamWriter and
  // pass it to EventsRoute::open().
  eudiplo_sse::EventsResponse events;
};

class Routes {
 public:
  Routes(eudiplo_sse::SessionService& sessions, const eudiplo_sse::TokenVerifier& verifier,
         const eudiplo_sse::EventsRoute& events, std::chrono::seconds session_ttl);

  Answer handle(const Request& request) const;

 private:
  const eudiplo_sse::EventsRoute& events_;
  std::atomic<std::uint64_t> auth_failures_{0};
  eudiplo_sse::examples::SessionApi sessions_api_;
};

}  // namespace beast_host
