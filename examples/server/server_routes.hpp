// Every route of eudiplo_sse_server, in one table (server_routes.cpp). To add a
// route, add a line to the table (method, pattern, handler) and, if the handler
// needs a part of the server not yet here, a member to ServerParts.
#pragma once

#include <string>

#include <atomic>
#include <cstdint>

#include "eudiplo_sse/asio/http_server.hpp"
#include "eudiplo_sse/asio/router.hpp"
#include "eudiplo_sse/asio/stream_caps.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/key_source.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "oauth_token_endpoint.hpp"
#include "session_routes.hpp"

namespace eudiplo_sse::server {

// The parts of the server that handlers use; all outlive the router.
struct ServerParts {
  EventsRoute& route;
  SessionService& sessions;
  const InMemorySessionStore* store;  // for /metrics' counts; nullptr with --redis
  OAuthTokenEndpoint& token_endpoint;
  SessionRoutes& session_routes;
  std::atomic<std::uint64_t>& auth_failures;
  const http::HttpServer* server = nullptr;  // set once the server exists (for /metrics)
  const KeySource* key_source = nullptr;     // JWKS file or URL, when one is configured
  std::string metrics_token{};               // --metrics-token; empty: /metrics is open
  http::StreamCaps* stream_caps = nullptr;   // streams per session / token; none: no caps
  bool metrics_elsewhere = false;            // --metrics-listen: not on this router
};

// Adds every route to `router`.
void mount_routes(http::Router& router, ServerParts& parts);

}  // namespace eudiplo_sse::server
