// The host side every component consumer shares: a library set up with an
// accepting verifier, and a real client (POSIX sockets, so it depends on neither
// Asio flavour) that follows one session to `completed` through the host's port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/in_memory_session_store.hpp>
#include <eudiplo_sse/session_service.hpp>
#include <eudiplo_sse/status_publisher.hpp>

namespace consumer {

inline int failures = 0;

inline void expect(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok    " : "FAILED", what);
  if (!ok) ++failures;
}

// Any non-empty token is valid for tenant "t"; JWT verification has tests of its own.
class AcceptingVerifier final : public eudiplo_sse::TokenVerifier {
 public:
  eudiplo_sse::VerifyResult verify(std::string_view token,
                                   eudiplo_sse::TimePoint now) const override {
    eudiplo_sse::VerifyResult r;
    if (token.empty()) {
      r.error = eudiplo_sse::error::token_missing;
      return r;
    }
    r.principal.tenant = "t";
    r.principal.expires_at = now + std::chrono::hours(1);
    return r;
  }
};

struct Library {
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService sessions{store, publisher};
  AcceptingVerifier verifier;
  eudiplo_sse::EventsRoute route{verifier, sessions};
};

// One request, then everything the server sends until it closes the connection.
inline std::string request_reply(unsigned short port, const std::string& request,
                                 const std::function<void()>& while_open = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    if (while_open) while_open();
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, n);
  }
  ::close(fd);
  return out;
}

// Waits (bounded) until the route has `n` open streams.
inline bool wait_open_streams(const eudiplo_sse::EventsRoute& route, std::uint64_t n) {
  for (int i = 0; i < 500; ++i) {
    if (route.stats().open_streams == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// A refusal, then one session followed to `completed`, against a host serving two
// connections on `port`.
inline void follow_session(Library& lib, unsigned short port) {
  const auto created = lib.sessions.create("t", std::chrono::seconds(60));
  const std::string path = "/session/" + created.session.id + "/events";

  const std::string refused = request_reply(port, "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
  expect(refused.rfind("HTTP/1.1 401 ", 0) == 0, "no token: 401");
  expect(refused.find("WWW-Authenticate: Bearer\r\n") != std::string::npos,
         "the 401 carries the Bearer challenge");

  const std::string wire =
      request_reply(port, "GET " + path + "?token=any HTTP/1.1\r\nHost: h\r\n\r\n", [&] {
        expect(wait_open_streams(lib.route, 1), "the route opened the stream");
        lib.sessions.set_status("t", created.session.id, eudiplo_sse::SessionStatus::fetched);
        lib.sessions.set_status("t", created.session.id, eudiplo_sse::SessionStatus::completed);
      });
  expect(wire.rfind("HTTP/1.1 200 OK\r\n", 0) == 0, "the stream answers 200");
  expect(wire.find("Content-Type: text/event-stream\r\n") != std::string::npos,
         "with Content-Type: text/event-stream");
  expect(wire.find("Transfer-Encoding: chunked\r\n") != std::string::npos, "chunked");
  const auto active = wire.find("\"status\":\"active\"");
  const auto fetched = wire.find("\"status\":\"fetched\"");
  const auto completed = wire.find("\"status\":\"completed\"");
  expect(active != std::string::npos && fetched != std::string::npos &&
             completed != std::string::npos && active < fetched && fetched < completed,
         "active, fetched, completed arrive in order");
  expect(wire.size() >= 5 && wire.compare(wire.size() - 5, 5, "0\r\n\r\n") == 0,
         "the response ends with the last chunk after the terminal event");
  expect(wait_open_streams(lib.route, 0), "the stream is released once the response ended");
}

}  // namespace consumer
