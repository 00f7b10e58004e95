// Mounting the library's events route on the Asio adapter's router:
//
//   eudiplo_sse::EventsRoute route(verifier, sessions);
//   eudiplo_sse::http::Router router("/api");
//   eudiplo_sse::http::add_events_route(router, route);
//
// plus a timer calling route.tick() about once a second.
//
// The answer is deferred (HttpExchange::defer()) and given by the completion of
// EventsRoute::async_check(): with a store across the network (Redis) no I/O
// thread waits for the store; with the in-memory store it completes before the
// handler returns, as a synchronous answer would.
#pragma once

#include <string_view>

#include "eudiplo_sse/asio/router.hpp"
#include "eudiplo_sse/asio/stream_caps.hpp"
#include "eudiplo_sse/events_route.hpp"

namespace eudiplo_sse::http {

// GET `pattern`, whose one placeholder is the session id. `route` must outlive
// the router. The token comes from `Authorization: Bearer` or the `token` query
// parameter (the header wins), as contract section 3 says.
void add_events_route(Router& router, EventsRoute& route,
                      std::string_view pattern = "/session/{id}/events");
// The same with streams per session and per token capped by `caps` (429 beyond),
// which must outlive the router.
void add_events_route(Router& router, EventsRoute& route, StreamCaps& caps,
                      std::string_view pattern = "/session/{id}/events");

// One answer of EventsRoute, sent on `exchange` when the store has answered (a
// stream is opened on `route`).
void serve_events(HttpExchange& exchange, EventsRoute& route, std::string_view session_id,
                  StreamCaps* caps = nullptr);

}  // namespace eudiplo_sse::http
