#include "metrics_endpoint.hpp"

#include <algorithm>
#include <chrono>

#include "eudiplo_sse/session_status.hpp"

namespace eudiplo_sse::server {
namespace {

void metric(std::string& out, const char* name, const char* type, const char* help,
            std::uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

void render_key_source_metrics(std::string& out, const KeySourceStats& stats) {
  metric(out, "eudiplo_sse_jwks_refreshes_total", "counter",
         "Key set loads or fetches that gave a valid key set.", stats.refreshes);
  metric(out, "eudiplo_sse_jwks_refresh_failures_total", "counter",
         "Key set loads or fetches that failed (the last good key set stayed).", stats.failures);
  if (stats.last_success != TimePoint{}) {
    const auto age =
        std::chrono::duration_cast<std::chrono::seconds>(system_now() - stats.last_success);
    metric(out, "eudiplo_sse_jwks_age_seconds", "gauge",
           "Seconds since the key set was last loaded or confirmed.",
           static_cast<std::uint64_t>(std::max<std::int64_t>(0, age.count())));
  }
}

// How often each time limit of the HTTP server bit (issue 11).
void render_time_limit_metrics(std::string& out, const http::HttpServerStats& stats) {
  metric(out, "eudiplo_sse_http_request_timeouts_total", "counter",
         "Requests that did not arrive whole in time (408), or silent connections closed.",
         stats.request_timeouts);
  metric(out, "eudiplo_sse_http_idle_timeouts_total", "counter",
         "Idle keep-alive connections closed.", stats.idle_timeouts);
  metric(out, "eudiplo_sse_http_write_stalls_total", "counter",
         "Responses and streams closed because the client accepted no bytes.", stats.write_stalls);
  metric(out, "eudiplo_sse_http_response_timeouts_total", "counter",
         "Deferred answers (waiting for the session store) replaced by a 503.",
         stats.response_timeouts);
  metric(out, "eudiplo_sse_http_abandoned_requests_total", "counter",
         "Clients that left while their answer waited for the session store.",
         stats.abandoned_requests);
  metric(out, "eudiplo_sse_tls_shutdown_timeouts_total", "counter",
         "TLS closes that stopped waiting for the client's close_notify.",
         stats.tls_shutdown_timeouts);
}

}  // namespace

bool metrics_scrape_allowed(const http::HttpRequest& request, const std::string& token) {
  if (token.empty()) return true;
  const std::string_view header = request.field("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() != scheme.size() + token.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    // The scheme is case-insensitive (RFC 9110 11.1).
    const char c = header[i];
    diff |= static_cast<unsigned char>(
        (c >= 'A' && c <= 'Z' ? c + 32 : c) ^
        (scheme[i] >= 'A' && scheme[i] <= 'Z' ? scheme[i] + 32 : scheme[i]));
  }
  for (std::size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(header[scheme.size() + i] ^ token[i]);
  }
  return diff == 0;
}

std::string render_metrics(const MetricsSources& s) {
  std::string out;
  out.reserve(2048);
  const EventsRouteStats route = s.route ? s.route->stats() : EventsRouteStats{};
  const std::uint64_t other_failures =
      s.auth_failures ? s.auth_failures->load(std::memory_order_relaxed) : 0;

  metric(out, "eudiplo_sse_open_streams", "gauge", "Event streams currently open.",
         route.open_streams);
  metric(out, "eudiplo_sse_streams_opened_total", "counter", "Event streams opened.",
         route.streams_opened);
  metric(out, "eudiplo_sse_events_sent_total", "counter", "Status events handed to event streams.",
         route.events_sent);
  metric(out, "eudiplo_sse_auth_failures_total", "counter",
         "Requests refused with 401 or 403 (events route and session API).",
         route.unauthorized + route.forbidden + other_failures);

  if (s.store) {
    const auto counts = s.store->count_by_status();
    out.append("# HELP eudiplo_sse_sessions Sessions held, by status.\n");
    out.append("# TYPE eudiplo_sse_sessions gauge\n");
    for (std::size_t i = 0; i < session_status_count; ++i) {
      out.append("eudiplo_sse_sessions{status=\"")
          .append(to_string(static_cast<SessionStatus>(i)))
          .append("\"} ")
          .append(std::to_string(counts[i]))
          .append("\n");
    }
  }
  if (s.server) {
    const auto stats = s.server->stats();
    metric(out, "eudiplo_sse_http_connections", "gauge", "Open HTTP connections, streams included.",
           stats.connections);
    render_time_limit_metrics(out, stats);
    metric(out, "eudiplo_sse_http_connections_refused_total", "counter",
           "Connections refused beyond --max-connections or --max-connections-per-address.",
           stats.connections_refused);
    metric(out, "eudiplo_sse_http_accept_errors_total", "counter",
           "Failed accepts (out of descriptors and the like), each followed by a pause.",
           stats.accept_errors);
  }
  metric(out, "eudiplo_sse_streams_refused_total", "counter",
         "Event streams refused with 429 beyond the streams per session or per token.",
         route.streams_refused + (s.stream_caps ? s.stream_caps->refused() : 0));
  if (s.sessions) {
    metric(out, "eudiplo_sse_sessions_refused_total", "counter",
           "POST /session refused with 429 beyond --max-sessions-per-tenant.",
           s.sessions->tenant_cap_refusals());
  }
  if (s.key_source) render_key_source_metrics(out, s.key_source->stats());
  return out;
}

}  // namespace eudiplo_sse::server
