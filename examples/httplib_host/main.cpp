// eudiplo_sse_httplib_host: the events route and the session API in a cpp-httplib
// server (Debian's libcpp-httplib-dev), the blocking, thread-per-connection stack.
// Same command line and output as eudiplo_sse_beast_host, so the same end-to-end
// tests drive both:
//
//   eudiplo_sse_httplib_host [--listen HOST:PORT] [--jwt-secret S] [--issuer S]
//                            [--heartbeat SECONDS] [--session-ttl SECONDS]
//                            [--threads N]
//
// Prints `listening on http://HOST:PORT` once it accepts connections (port 0 picks a
// free port); SIGINT/SIGTERM end the open streams and exit 0.
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/http_target.hpp>
#include <eudiplo_sse/in_memory_session_store.hpp>
#include <eudiplo_sse/jwt_verifier.hpp>
#include <eudiplo_sse/session_service.hpp>
#include <eudiplo_sse/status_publisher.hpp>

#include "host_options.hpp"
#include "httplib_events_mount.hpp"
#include "session_api.hpp"

namespace {

using eudiplo_sse::examples::ApiResponse;

void send(httplib::Response& res, ApiResponse r) {
  res.status = r.status;
  std::string content_type = "application/json";
  for (const auto& h : r.headers) {
    if (h.name == "Content-Type")
      content_type = h.value;
    else
      res.set_header(h.name.c_str(), h.value);
  }
  res.set_content(r.body, content_type.c_str());
}

void mount_session_api(httplib::Server& server, const eudiplo_sse::examples::SessionApi& api) {
  server.Post("/session", [&api](const httplib::Request& req, httplib::Response& res) {
    send(res,
         api.handle({req.method, std::nullopt, req.get_header_value("Authorization"), req.body}));
  });
  auto by_id = [&api](const httplib::Request& req, httplib::Response& res) {
    // The id from the raw target, with the library's strict decoder (as the other hosts).
    const std::string_view target(req.target);
    const auto segments = eudiplo_sse::decode_path(target.substr(0, target.find('?')));
    if (!segments || segments->size() != 2) {
      auto refusal = eudiplo_sse::refuse(400, "malformed request target");
      return send(res, {refusal.status, std::move(refusal.headers), std::move(refusal.body)});
    }
    send(res, api.handle({req.method, std::string_view((*segments)[1]),
                          req.get_header_value("Authorization"), req.body}));
  };
  server.Get(R"(/session/([^/]+))", by_id);
  server.Patch(R"(/session/([^/]+))", by_id);
}

// Binds `options.host:port` and listens with a real backlog: cpp-httplib 0.11
// listens with a backlog of 5, which stalls a burst of connects by about a second.
// Returns the port, or -1.
int bind_with_backlog(httplib::Server& server, const httplib_host::Options& options) {
  std::atomic<int> fd{-1};
  server.set_socket_options([&fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    fd = sock;
  });
  const int port = options.port == 0
                       ? server.bind_to_any_port(options.host)
                       : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0 || fd < 0 || ::listen(fd, SOMAXCONN) != 0) return -1;
  return port;
}

}  // namespace

int main(int argc, char** argv) {
  httplib_host::Options options;
  if (!httplib_host::parse_options(argc, argv, options)) return 2;

  // Signals go to the thread that waits for them, not to a pool thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  eudiplo_sse::JwtVerifierOptions verifier_options;
  verifier_options.issuer = options.issuer;
  eudiplo_sse::JwtVerifier verifier(verifier_options);
  if (auto ec = verifier.add_hmac_secret(options.secret)) {
    std::cerr << "--jwt-secret: " << ec.message() << "\n";
    return 2;
  }
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService sessions(store, publisher);
  eudiplo_sse::EventsRoute route(verifier, sessions, {options.retry, options.heartbeat});
  std::atomic<std::uint64_t> auth_failures{0};
  eudiplo_sse::examples::SessionApiOptions api_options;
  api_options.default_ttl = options.session_ttl;
  const eudiplo_sse::examples::SessionApi api(verifier, sessions, auth_failures, api_options);

  httplib::Server server;
  // Every open stream holds a pool thread for its whole life: size the pool for them.
  server.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  httplib_mount::mount_events(server, route);
  mount_session_api(server, api);
  server.Get("/healthz", [&route](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        R"({"status":"ok","openStreams":)" + std::to_string(route.stats().open_streams) + "}",
        "application/json");
  });

  const int port = bind_with_backlog(server, options);
  if (port < 0) {
    std::cerr << "cannot listen on " << options.host << ":" << options.port << "\n";
    return 1;
  }

  // The library keeps no timer: expiry, heartbeats and token ends, twice a second.
  std::atomic<bool> running{true};
  std::thread ticker([&] {
    while (running) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      sessions.expire_due();
      route.tick();
    }
  });
  std::thread stopper([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    running = false;
    route.close_all();  // each stream's thread writes its last chunk and returns
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.stop();
  });

  std::printf("listening on http://%s:%d\n", options.host.c_str(), port);
  std::fflush(stdout);
  server.listen_after_bind();
  stopper.join();
  ticker.join();
  return 0;
}
