// eudiplo_sse_beast_host: an HTTP server on Boost.Beast and Boost.Asio (no
// standalone Asio) that mounts eudiplo_sse's events route next to a host's own
// session routes. It shows what a Beast-based issuer or verifier adds to serve
// GET /session/:id/events: the installed SseStreamWriter, a call to EventsRoute::check/open per
// request, and a timer that calls tick() and expire_due().
//
//   eudiplo_sse_beast_host [--listen HOST:PORT] [--jwt-secret S] [--issuer S]
//                          [--audience S] [--tenant-claim S] [--heartbeat SECONDS]
//                          [--session-ttl SECONDS] [--retry MS] [--threads N]
//
// Prints `listening on http://HOST:PORT` once it accepts connections (port 0
// picks a free port); SIGINT/SIGTERM end the open streams and exit 0.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/in_memory_session_store.hpp>
#include <eudiplo_sse/jwt_verifier.hpp>
#include <eudiplo_sse/session_service.hpp>
#include <eudiplo_sse/status_publisher.hpp>

#include "http_session.hpp"
#include "routes.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr const char* dev_secret = "eudiplo-sse-beast-host-dev-secret-change-me";

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string secret = dev_secret;
  std::string issuer = "eudiplo-service";
  std::string audience;
  std::string tenant_claim = "tenant_id";
  std::chrono::seconds heartbeat{15};
  std::chrono::seconds session_ttl{300};
  std::chrono::milliseconds retry{3000};
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      return false;
    }
    const std::string value = argv[++i];
    try {
      if (flag == "--listen") {
        const auto colon = value.rfind(':');
        if (colon == std::string::npos) return false;
        o.host = value.substr(0, colon);
        o.port = static_cast<unsigned short>(std::stoul(value.substr(colon + 1)));
      } else if (flag == "--jwt-secret") {
        o.secret = value;
      } else if (flag == "--issuer") {
        o.issuer = value;
      } else if (flag == "--audience") {
        o.audience = value;
      } else if (flag == "--tenant-claim") {
        o.tenant_claim = value;
      } else if (flag == "--heartbeat") {
        o.heartbeat = std::chrono::seconds(std::stoul(value));
      } else if (flag == "--session-ttl") {
        o.session_ttl = std::chrono::seconds(std::stoul(value));
      } else if (flag == "--retry") {
        o.retry = std::chrono::milliseconds(std::stoul(value));
      } else if (flag == "--threads") {
        o.threads = std::max(1u, static_cast<unsigned>(std::stoul(value)));
      } else {
        std::cerr << "unknown flag " << flag << "\n";
        return false;
      }
    } catch (const std::exception&) {
      std::cerr << "bad value for " << flag << "\n";
      return false;
    }
  }
  return true;
}

// Accepts connections, each on its own strand.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::acceptor& acceptor, const beast_host::Routes& routes,
           eudiplo_sse::EventsRoute& events)
      : ioc_(ioc), acceptor_(acceptor), routes_(routes), events_(events) {}

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](
                                                       boost::system::error_code ec,
                                                       tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;  // shutting down
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        try {
          std::make_shared<beast_host::HttpSession>(std::move(socket), self->routes_, self->events_)
              ->run();
        } catch (const std::exception&) {
          // Out of memory: this connection is dropped, the next one may fare better.
        }
      }
      self->accept();
    });
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor& acceptor_;
  const beast_host::Routes& routes_;
  eudiplo_sse::EventsRoute& events_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  if (options.secret == dev_secret) {
    std::cerr << "warning: using the built-in development secret; pass --jwt-secret\n";
  }

  // Declared first so that it outlives every object whose handlers it may hold.
  net::io_context ioc(static_cast<int>(options.threads));

  eudiplo_sse::JwtVerifierOptions verifier_options;
  verifier_options.issuer = options.issuer;
  verifier_options.audience = options.audience;
  verifier_options.tenant_claim = options.tenant_claim;
  eudiplo_sse::JwtVerifier verifier(verifier_options);
  if (auto ec = verifier.add_hmac_secret(options.secret)) {
    std::cerr << "--jwt-secret: " << ec.message() << "\n";
    return 2;
  }

  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService sessions(store, publisher);
  eudiplo_sse::EventsRoute events(verifier, sessions, {options.retry, options.heartbeat});
  beast_host::Routes routes(sessions, verifier, events, options.session_ttl);

  tcp::acceptor acceptor(ioc);
  boost::system::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address(options.host, ec), options.port);
  if (!ec) acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "cannot listen on " << options.host << ":" << options.port << ": " << ec.message()
              << "\n";
    return 1;
  }
  std::make_shared<Listener>(ioc, acceptor, routes, events)->accept();

  // The library keeps no timer of its own: heartbeats, token expiry and session
  // expiry are driven from here, twice a second.
  net::steady_timer ticker(ioc);
  std::function<void()> tick = [&] {
    ticker.expires_after(std::chrono::milliseconds(500));
    ticker.async_wait([&](boost::system::error_code wait_ec) {
      if (wait_ec) return;
      try {
        sessions.expire_due();
        events.tick();
      } catch (const std::exception& e) {
        std::cerr << "tick: " << e.what() << "\n";  // out of memory: the next tick retries
      }
      tick();
    });
  };
  tick();

  net::steady_timer grace(ioc);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    acceptor.close();
    ticker.cancel();
    events.close_all();
    // Let the writers send their last chunk, then drop idle keep-alive connections.
    grace.expires_after(std::chrono::milliseconds(200));
    grace.async_wait([&](boost::system::error_code) { ioc.stop(); });
  });

  std::printf("listening on http://%s:%u\n", options.host.c_str(),
              static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}
