#include "eudiplo_sse/asio/events_endpoint.hpp"

#include "eudiplo_sse/http_target.hpp"

namespace eudiplo_sse::http {
namespace {

std::vector<HttpField> to_fields(std::vector<HttpHeader>& headers) {
  std::vector<HttpField> fields;
  fields.reserve(headers.size());
  for (auto& h : headers) fields.push_back({std::move(h.name), std::move(h.value)});
  return fields;
}

// Sends the route's answer on `deferred`: a refusal, or the head of a stream that
// `route` then opens (unless `caps` is full for the token).
void answer_events(DeferredResponse& deferred, EventsRoute& route, EventsResponse response,
                   StreamCaps* caps, std::string_view token) {
  if (!response.is_stream()) {
    HttpResponse answer;
    answer.status = response.status;
    answer.fields = to_fields(response.headers);
    answer.body = std::move(response.body);
    deferred.respond(std::move(answer));
    return;
  }
  StreamCaps::Slot slot;
  if (caps) {
    slot = caps->take(token);
    if (!slot) {
      auto answer = HttpResponse::error(429, "too many open streams for this token");
      answer.set("Retry-After", "10");
      deferred.respond(std::move(answer));
      return;
    }
  }
  auto writer = deferred.respond_stream(response.status, to_fields(response.headers));
  if (!writer) return;
  if (slot) writer = StreamCaps::hold(std::move(slot), std::move(writer));
  route.open(std::move(response), std::move(writer));
}

}  // namespace

void serve_events(HttpExchange& exchange, EventsRoute& route, std::string_view session_id,
                  StreamCaps* caps) {
  const HttpRequest& request = exchange.request();
  const auto query = parse_query(request.raw_query());
  const std::string* token = query ? find_param(*query, "token") : nullptr;

  EventsRequest events_request;
  events_request.session_id = session_id;
  if (token) events_request.query_token = *token;
  events_request.authorization = request.field("Authorization");
  events_request.last_event_id = request.field("Last-Event-ID");

  // The store may answer later (RedisSessionStore): answer then, from its thread.
  // The cap keys on the token, so the completion keeps a copy.
  auto deferred = exchange.defer();
  if (!deferred) return;
  if (caps && !caps->capped()) caps = nullptr;
  std::string cap_token;
  if (caps)
    cap_token.assign(select_token(events_request.authorization, events_request.query_token));
  route.async_check(events_request, [deferred = std::move(deferred), &route, caps,
                                     cap_token = std::move(cap_token)](EventsResponse response) {
    try {
      answer_events(*deferred, route, std::move(response), caps, cap_token);
    } catch (...) {
      // Out of memory: the Deferred answers 500 when dropped, if it can.
    }
  });
}

void add_events_route(Router& router, EventsRoute& route, std::string_view pattern) {
  router.add("GET", pattern, [&route](HttpExchange& exchange, const RouteParams& params) {
    serve_events(exchange, route, params.empty() ? std::string_view{} : params.front());
  });
}

void add_events_route(Router& router, EventsRoute& route, StreamCaps& caps,
                      std::string_view pattern) {
  router.add("GET", pattern, [&route, &caps](HttpExchange& exchange, const RouteParams& params) {
    serve_events(exchange, route, params.empty() ? std::string_view{} : params.front(), &caps);
  });
}

}  // namespace eudiplo_sse::http
