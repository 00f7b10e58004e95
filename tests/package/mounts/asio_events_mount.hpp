// The events route mounted in a standalone-Asio host with the installed writer
// (find_package(eudiplo_sse COMPONENTS asio), eudiplo_sse::asio): the whole of what
// such a host writes for GET /session/{id}/events once its own HTTP layer has read
// a request. docs/integration.md shows this file; tests/package compiles and runs it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include <asio/steady_timer.hpp>
#include <eudiplo_sse/asio/sse_stream_writer.hpp>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/http_target.hpp>

namespace asio_mount {

// What the host's HTTP layer parsed; absent headers are empty.
struct Request {
  std::string_view method, target, authorization, last_event_id;
};

// False when `request` is not for the events route. Otherwise a stream takes over
// `socket` (any AsyncWriteStream: tcp::socket, ssl::stream, ...), and a refusal's
// bytes go to send(std::string).
template <class Socket, class Send>
bool serve_events(eudiplo_sse::EventsRoute& route, Socket& socket, const Request& request,
                  Send&& send) {
  const auto target = eudiplo_sse::parse_events_target(request.target);
  if (!target.matched) return false;
  auto answer = target.malformed          ? eudiplo_sse::refuse(400, "malformed request target")
                : request.method != "GET" ? eudiplo_sse::refuse(405, "method not allowed")
                                          : route.check({target.session_id, target.query_token,
                                                         request.authorization,
                                                         request.last_event_id});
  if (answer.is_stream()) {
    auto head = eudiplo_sse::format_response_head(answer.status, answer.headers);
    route.open(std::move(answer), eudiplo_sse::standalone_asio::SseStreamWriter<Socket>::start(
                                      std::move(socket), std::move(head)));
    return true;
  }
  answer.headers.push_back({"Content-Length", std::to_string(answer.body.size())});
  send(eudiplo_sse::format_response_head(answer.status, answer.headers, false) + answer.body);
  return true;
}

// Heartbeats and token expiry: EventsRoute::tick() about once a second.
inline void tick_every_second(asio::steady_timer& timer, eudiplo_sse::EventsRoute& route) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &route](const std::error_code& ec) {
    if (ec) return;  // cancelled: the host is shutting down
    route.tick();
    tick_every_second(timer, route);
  });
}

}  // namespace asio_mount
