// The events route mounted in a Boost.Beast host with the installed writer
// (find_package(eudiplo_sse COMPONENTS boost_asio), eudiplo_sse::boost_asio): the
// whole of what such a host writes for GET /session/{id}/events. docs/integration.md
// shows this file; tests/package compiles and runs it.
#pragma once

#include <chrono>
#include <string_view>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <eudiplo_sse/boost_asio/sse_stream_writer.hpp>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/http_target.hpp>

namespace beast_mount {
namespace beast = boost::beast;
namespace http = beast::http;

// False when `request` is not for the events route. Otherwise a stream takes over
// `stream`, and a refusal (400, 401, 403, 404, 405, 204) goes to send(response).
template <class Send>
bool serve_events(eudiplo_sse::EventsRoute& route, beast::tcp_stream& stream,
                  const http::request<http::string_body>& request, Send&& send) {
  auto sv = [](auto s) { return std::string_view(s.data(), s.size()); };
  const auto target = eudiplo_sse::parse_events_target(sv(request.target()));
  if (!target.matched) return false;
  auto answer = target.malformed ? eudiplo_sse::refuse(400, "malformed request target")
                : request.method() != http::verb::get
                    ? eudiplo_sse::refuse(405, "method not allowed")
                    : route.check({target.session_id, target.query_token,
                                   sv(request[http::field::authorization]),
                                   sv(request["Last-Event-ID"])});
  if (answer.is_stream()) {
    auto head = eudiplo_sse::format_response_head(answer.status, answer.headers);
    route.open(std::move(answer), eudiplo_sse::boost_asio::SseStreamWriter<beast::tcp_stream>::start(
                                      std::move(stream), std::move(head)));
    return true;
  }
  http::response<http::string_body> refusal{static_cast<http::status>(answer.status),
                                            request.version()};
  for (const auto& h : answer.headers) refusal.set(h.name, h.value);
  refusal.body() = std::move(answer.body);
  refusal.prepare_payload();
  send(std::move(refusal));
  return true;
}

// Heartbeats and token expiry: EventsRoute::tick() about once a second.
inline void tick_every_second(boost::asio::steady_timer& timer, eudiplo_sse::EventsRoute& route) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &route](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the host is shutting down
    route.tick();
    tick_every_second(timer, route);
  });
}

}  // namespace beast_mount
