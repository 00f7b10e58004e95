// eudiplo_sse_server: the whole contract (sections 3 and 5) in one binary for local
// testing: the events stream, the session API around it, a client-credentials token
// endpoint, health and metrics, over HTTP or HTTPS.
#include <sched.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include "demo_page.hpp"
#include "eudiplo_sse/asio/access_log.hpp"
#include "eudiplo_sse/asio/events_endpoint.hpp"
#include "eudiplo_sse/asio/http_dispatcher.hpp"
#include "eudiplo_sse/asio/http_server.hpp"
#include "eudiplo_sse/asio/line_writer.hpp"
#include "eudiplo_sse/asio/tls.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/in_memory_session_store.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "eudiplo_sse/session_service.hpp"
#include "eudiplo_sse/status_publisher.hpp"
#include "events_token_endpoint.hpp"
#include "maintenance_timer.hpp"
#include "metrics_endpoint.hpp"
#include "oauth_token_endpoint.hpp"
#include "server_options.hpp"
#include "session_qr_endpoint.hpp"
#include "session_routes.hpp"

namespace {

using namespace eudiplo_sse;

constexpr int exit_usage = 2;
constexpr auto shutdown_grace = std::chrono::seconds(2);

// CPUs this process may run on: hardware_concurrency() ignores the affinity mask,
// so a server pinned with taskset would start more I/O threads than it has cores.
unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void say(const std::string& line) {
  std::fprintf(stderr, "eudiplo_sse_server: %s\n", line.c_str());
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return !in.bad();
}

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

int run(const server::ServerOptions& opts) {
  if (!opts.jwt_secret_given) {
    say("warning: no --jwt-secret given; using the built-in development secret \"" +
        std::string(server::dev_jwt_secret) + "\". Never use it outside local testing.");
  }

  JwtVerifierOptions verifier_options;
  verifier_options.issuer = opts.issuer;
  verifier_options.audience = opts.audience;
  verifier_options.tenant_claim = opts.tenant_claim;
  JwtVerifier verifier(verifier_options);
  if (!opts.jwks_file.empty()) {
    std::string jwks;
    if (!read_file(opts.jwks_file, jwks)) {
      say("cannot read --jwks file " + opts.jwks_file);
      return exit_usage;
    }
    if (const auto ec = verifier.add_jwks(jwks)) {
      say("--jwks file " + opts.jwks_file + ": " + ec.message());
      return exit_usage;
    }
  } else if (const auto ec = verifier.add_hmac_secret(opts.jwt_secret)) {
    say("--jwt-secret: " + ec.message());
    return exit_usage;
  }

  std::shared_ptr<asio::ssl::context> tls;
  if (!opts.tls_cert.empty()) {
    std::string error;
    tls = http::make_server_tls_context(opts.tls_cert, opts.tls_key, error);
    if (!tls) {
      say(error);
      return exit_usage;
    }
  }

  const unsigned threads = opts.threads ? opts.threads : usable_cpus();
  asio::io_context io(static_cast<int>(threads));

  asio::ip::tcp::endpoint endpoint;
  {
    std::error_code ec;
    const auto address = asio::ip::make_address(opts.listen_host, ec);
    if (!ec) {
      endpoint = {address, opts.listen_port};
    } else {
      asio::ip::tcp::resolver resolver(io);
      const auto results = resolver.resolve(
          opts.listen_host, std::to_string(opts.listen_port),
          asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service, ec);
      if (ec || results.empty()) {
        say("--listen: cannot resolve host " + opts.listen_host);
        return exit_usage;
      }
      // "localhost" resolves to ::1 and 127.0.0.1; clients mostly try IPv4 first.
      endpoint = results.begin()->endpoint();
      for (const auto& entry : results) {
        if (entry.endpoint().address().is_v4()) {
          endpoint = entry.endpoint();
          break;
        }
      }
    }
  }

  InMemorySessionStore store;
  StatusPublisher publisher;
  SessionService sessions(store, publisher);
  EventsRouteOptions route_options;
  route_options.retry = opts.retry;
  route_options.heartbeat = opts.heartbeat;
  EventsRoute route(verifier, sessions, route_options);

  std::atomic<std::uint64_t> auth_failures{0};

  server::TokenIssuerOptions issuer_options;
  issuer_options.secret = opts.jwt_secret;
  issuer_options.issuer = opts.issuer;
  issuer_options.audience = opts.audience;
  issuer_options.tenant_claim = opts.tenant_claim;
  issuer_options.clients = opts.clients;
  issuer_options.lifetime = opts.token_ttl;
  server::OAuthTokenEndpoint token_endpoint(issuer_options);

  server::SessionRoutesOptions session_options;
  session_options.default_ttl = opts.session_ttl;
  session_options.base_path = opts.base_path;
  server::SessionRoutes session_routes(verifier, sessions, auth_failures, session_options);

  const http::HttpServer* server_for_metrics = nullptr;

  http::Router router(opts.base_path);
  router.add("POST", "/oauth2/token", [&](http::HttpExchange& ex, const http::RouteParams&) {
    auto response = token_endpoint.handle(ex.request(), sessions.now());
    if (response.status == 401) auth_failures.fetch_add(1, std::memory_order_relaxed);
    ex.respond(std::move(response));
  });
  session_routes.mount(router);
  http::add_events_route(router, route);
  server::EventsTokenEndpoint events_token(verifier, sessions, auth_failures, issuer_options);
  events_token.mount(router);
  server::SessionQrEndpoint session_qr(verifier, sessions, auth_failures);
  session_qr.mount(router);
  const server::DemoPage demo_page(opts.base_path);
  demo_page.mount(router);
  router.add("GET", "/healthz", [](http::HttpExchange& ex, const http::RouteParams&) {
    auto r = http::HttpResponse::json(200, "{\"status\":\"ok\"}");
    r.set("Cache-Control", "no-store");
    ex.respond(std::move(r));
  });
  router.add("GET", "/metrics", [&](http::HttpExchange& ex, const http::RouteParams&) {
    server::MetricsSources sources;
    sources.route = &route;
    sources.store = &store;
    sources.server = server_for_metrics;
    sources.auth_failures = &auth_failures;
    http::HttpResponse r;
    r.set("Content-Type", server::metrics_content_type);
    r.set("Cache-Control", "no-store");
    r.body = server::render_metrics(sources);
    ex.respond(std::move(r));
  });
  const http::HttpDispatcher dispatcher(std::move(router), http::CorsPolicy(opts.cors_origins));

  http::HttpServerOptions server_options;
  if (opts.access_log) server_options.access_log = http::stderr_access_log();
  http::HttpServer server(
      io,
      [&dispatcher, &demo_page](http::HttpExchange& ex) {
        if (!demo_page.serve_root(ex)) dispatcher(ex);
      },
      server_options, tls);
  server_for_metrics = &server;

  auto strand = asio::make_strand(io);
  asio::signal_set signals(strand, SIGINT, SIGTERM);
  server::MaintenanceTimer maintenance(strand, route, sessions, server);
  asio::steady_timer drain(strand);
  std::chrono::steady_clock::time_point drain_deadline;
  bool shutting_down = false;

  std::function<void()> check_drained = [&] {
    if (server.stats().connections == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      server.abort();
      signals.cancel();
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](const std::error_code& ec) {
      if (!ec) check_drained();
    });
  };
  std::function<void(const std::error_code&, int)> on_signal = [&](const std::error_code& ec, int) {
    if (ec) return;
    if (shutting_down) {
      // A second signal: stop waiting for streams to flush.
      server.abort();
      signals.cancel();
      io.stop();
      return;
    }
    shutting_down = true;
    server.stop();  // no new connections; idle keep-alive connections close
    maintenance.stop();
    route.close_all();  // every stream flushes what it has and ends
    drain_deadline = std::chrono::steady_clock::now() + shutdown_grace;
    signals.async_wait(on_signal);
    check_drained();
  };
  signals.async_wait(on_signal);

  if (const auto ec = server.listen(endpoint)) {
    say("cannot listen on " + endpoint_text(endpoint) + ": " + ec.message());
    return 1;
  }
  maintenance.start();

  // The host as given (a name stays a name), with the port actually bound.
  const bool v6_literal = opts.listen_host.find(':') != std::string::npos;
  const std::string host = v6_literal ? "[" + opts.listen_host + "]" : opts.listen_host;
  std::printf("listening on %s://%s:%u\n", tls ? "https" : "http", host.c_str(),
              static_cast<unsigned>(server.local_endpoint().port()));
  std::fflush(stdout);

  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) {
    pool.emplace_back([&io] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (...) {
          // No handler lets an exception escape; if one did, keep serving.
        }
      }
    });
  }
  for (;;) {
    try {
      io.run();
      break;
    } catch (...) {
    }
  }
  for (auto& t : pool) t.join();
  http::stderr_lines().flush(std::chrono::milliseconds(500));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Writes to a closed stdout/stderr pipe must fail, not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string_view> args(argv + 1, argv + argc);
  eudiplo_sse::server::ServerOptions options;
  std::string error;
  switch (eudiplo_sse::server::parse_server_options(args, options, error)) {
    case eudiplo_sse::server::ParseOutcome::help:
      std::fputs(eudiplo_sse::server::usage_text().c_str(), stdout);
      return 0;
    case eudiplo_sse::server::ParseOutcome::error:
      std::fprintf(stderr, "eudiplo_sse_server: %s\nTry 'eudiplo_sse_server --help'.\n",
                   error.c_str());
      return exit_usage;
    case eudiplo_sse::server::ParseOutcome::run: break;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    say(e.what());
    return 1;
  }
}
