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

  EventsResponse response = route.check(events_request);
  if (!response.is_stream()) {
    HttpResponse answer;
    answer.status = response.status;
    answer.fields = to_fields(response.headers);
    answer.body = std::move(response.body);
    exchange.respond(std::move(answer));
    return;
  }
  std::shared_ptr<StreamCaps::Slot> slot;
  if (caps) {
    slot = caps->take(session_id,
                      select_token(events_request.authorization, events_request.query_token));
    if (!slot) {
      auto answer = HttpResponse::error(429, "too many open streams for this session or token");
      answer.set("Retry-After", "10");
      exchange.respond(std::move(answer));
      return;
    }
  }
  auto writer = exchange.respond_stream(response.status, to_fields(response.headers));
  if (slot) writer = StreamCaps::hold(std::move(slot), std::move(writer));
  route.open(std::move(response), std::move(writer));
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
