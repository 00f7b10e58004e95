// GET /metrics in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "eudiplo_sse/asio/http_request.hpp"
#include "eudiplo_sse/asio/http_server.hpp"
#include "eudiplo_sse/asio/stream_caps.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/key_source.hpp"
#include "eudiplo_sse/session_service.hpp"

namespace eudiplo_sse::server {

struct MetricsSources {
  const EventsRoute* route = nullptr;
  const InMemorySessionStore* store = nullptr;
  const http::HttpServer* server = nullptr;
  const std::atomic<std::uint64_t>* auth_failures = nullptr;  // outside the events route
  const KeySource* key_source = nullptr;                      // --jwks / --jwks-url / --oidc-issuer
  const http::StreamCaps* stream_caps = nullptr;
  const SessionService* sessions = nullptr;  // the per-tenant session cap's refusals
};

// The exposition text: open streams, events sent, auth failures, sessions by status,
// HTTP connections, and the key source's refreshes, failures and key set age.
std::string render_metrics(const MetricsSources& sources);

// True when `token` is empty (an open endpoint) or the request carries
// `Authorization: Bearer <token>`; compared in constant time.
bool metrics_scrape_allowed(const http::HttpRequest& request, const std::string& token);

inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace eudiplo_sse::server
