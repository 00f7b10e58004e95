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
#include "metrics_listener.hpp"
#include "oauth_token_endpoint.hpp"
#include "server_key_source.hpp"
#include "server_options.hpp"
#include "server_routes.hpp"
#include "session_backend.hpp"
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

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

// The verifier's keys from --jwks or --jwt-secret; false (said) when unusable. Warns
// when the built-in development secret is in use.
bool add_keys(const server::ServerOptions& opts, JwtVerifier& verifier) {
  if (!opts.jwt_secret_given) {
    say("warning: no --jwt-secret given; using the built-in development secret \"" +
        std::string(server::dev_jwt_secret) + "\". Never use it outside local testing.");
  }
  // JWKS files, URLs and OIDC issuers are ServerKeySource's (reloads, rotation).
  if (server::uses_key_source(opts)) return true;
  if (const auto ec = verifier.add_hmac_secret(opts.jwt_secret)) {
    say("--jwt-secret: " + ec.message());
    return false;
  }
  return true;
}

// --listen's (or --metrics-listen's) host as an address, or resolved ("localhost":
// IPv4 first, as most clients try it first); false (said) when it does not resolve.
bool resolve_listen(asio::io_context& io, const std::string& host, std::uint16_t port,
                    const char* flag, asio::ip::tcp::endpoint& endpoint) {
  std::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = {address, port};
    return true;
  }
  asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(
      host, std::to_string(port),
      asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    say(std::string(flag) + ": cannot resolve host " + host);
    return false;
  }
  endpoint = results.begin()->endpoint();
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) {
      endpoint = entry.endpoint();
      break;
    }
  }
  return true;
}

// SIGINT/SIGTERM: stop accepting, end every stream, wait up to shutdown_grace for
// the connections to flush, then stop. A second signal stops at once.
class Shutdown {
 public:
  Shutdown(asio::strand<asio::io_context::executor_type> strand, asio::io_context& io,
           http::HttpServer& server, server::MaintenanceTimer& maintenance, EventsRoute& route)
      : signals_(strand, SIGINT, SIGTERM),
        drain_(strand),
        io_(io),
        server_(server),
        maintenance_(maintenance),
        route_(route) {}

  // Another listener (--metrics-listen) that stops and aborts with the main one.
  void also_stop(http::HttpServer& other) { others_.push_back(&other); }

  void arm() {
    signals_.async_wait([this](const std::error_code& ec, int) {
      if (!ec) on_signal();
    });
  }

 private:
  void on_signal() {
    if (shutting_down_) return stop_now();  // a second signal: stop waiting for streams
    shutting_down_ = true;
    server_.stop();  // no new connections; idle keep-alive connections close
    for (http::HttpServer* other : others_) other->stop();
    maintenance_.stop();
    route_.close_all();  // every stream flushes what it has and ends
    deadline_ = std::chrono::steady_clock::now() + shutdown_grace;
    arm();
    check_drained();
  }

  void check_drained() {
    if (server_.stats().connections == 0 || std::chrono::steady_clock::now() >= deadline_) {
      return stop_now();
    }
    drain_.expires_after(std::chrono::milliseconds(20));
    drain_.async_wait([this](const std::error_code& ec) {
      if (!ec) check_drained();
    });
  }

  void stop_now() {
    server_.abort();
    for (http::HttpServer* other : others_) other->abort();
    signals_.cancel();
    io_.stop();
  }

  asio::signal_set signals_;
  asio::steady_timer drain_;
  asio::io_context& io_;
  http::HttpServer& server_;
  server::MaintenanceTimer& maintenance_;
  EventsRoute& route_;
  std::vector<http::HttpServer*> others_;
  std::chrono::steady_clock::time_point deadline_;
  bool shutting_down_ = false;
};

// What a second listener hooks into: the sweep of time limits and the shutdown.
struct ListenerHooks {
  server::MaintenanceTimer& maintenance;
  Shutdown& shutdown;
};

// --metrics-listen: a listener serving /metrics alone, swept and stopped with the
// main one. 0 when listening or not asked for; else the exit status (said): usage
// for an address that does not resolve, 1 for one that cannot be bound.
int start_metrics_listener(asio::io_context& io, const server::ServerOptions& opts,
                           server::ServerParts& parts, const http::HttpServerOptions& options,
                           ListenerHooks hooks, std::unique_ptr<server::MetricsListener>& out) {
  if (!parts.metrics_elsewhere) return 0;
  asio::ip::tcp::endpoint endpoint;
  if (!resolve_listen(io, opts.limits.metrics_listen_host, opts.limits.metrics_listen_port,
                      "--metrics-listen", endpoint)) {
    return exit_usage;
  }
  out = std::make_unique<server::MetricsListener>(io, parts, options);
  hooks.maintenance.also_sweep(out->server());
  hooks.shutdown.also_stop(out->server());
  if (const auto ec = out->listen(endpoint)) {
    say("cannot listen on " + endpoint_text(endpoint) + ": " + ec.message());
    return 1;
  }
  return 0;
}

// Runs `io` on `threads` threads (this one included) until it is stopped. No
// handler lets an exception escape; if one did, the thread keeps serving.
void run_io(asio::io_context& io, unsigned threads) {
  auto serve = [&io] {
    for (;;) {
      try {
        io.run();
        return;
      } catch (...) {
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(serve);
  serve();
  for (auto& t : pool) t.join();
}

// "listening on http://HOST:PORT": the host as given (a name stays a name), with
// the port actually bound.
void announce(const server::ServerOptions& opts, const http::HttpServer& server, bool tls) {
  const bool v6_literal = opts.listen_host.find(':') != std::string::npos;
  const std::string host = v6_literal ? "[" + opts.listen_host + "]" : opts.listen_host;
  std::printf("listening on %s://%s:%u\n", tls ? "https" : "http", host.c_str(),
              static_cast<unsigned>(server.local_endpoint().port()));
  std::fflush(stdout);
}

// "metrics on http://ADDRESS:PORT" (after the listening line, which tests wait for).
void announce_metrics(const http::HttpServer& metrics) {
  std::printf("metrics on http://%s/metrics\n", endpoint_text(metrics.local_endpoint()).c_str());
  std::fflush(stdout);
}

// How tokens are checked: --issuer (or --oidc-issuer), --audience, --tenant-claim,
// --token-leeway.
JwtVerifierOptions verifier_options(const server::ServerOptions& opts) {
  JwtVerifierOptions options;
  options.issuer = opts.oidc_issuer.empty() ? opts.issuer : opts.oidc_issuer;
  options.audience = opts.audience;
  options.tenant_claim = opts.tenant_claim;
  options.leeway = opts.token_leeway;
  return options;
}

// POST /session and friends: --session-ttl, --max-session-ttl, --base-path.
server::SessionRoutesOptions session_options(const server::ServerOptions& opts) {
  server::SessionRoutesOptions options;
  options.default_ttl = opts.session_ttl;
  options.max_ttl = opts.limits.max_session_ttl;
  options.base_path = opts.base_path;
  return options;
}

// What POST /oauth2/token and POST /session/{id}/events-token sign tokens with.
server::TokenIssuerOptions token_issuer_options(const server::ServerOptions& opts) {
  server::TokenIssuerOptions issuer_options;
  issuer_options.secret = opts.jwt_secret;
  issuer_options.issuer = opts.issuer;
  issuer_options.audience = opts.audience;
  issuer_options.tenant_claim = opts.tenant_claim;
  issuer_options.clients = opts.clients;
  issuer_options.lifetime = opts.token_ttl;
  return issuer_options;
}

// The HTTP server's access log and limits (issue 11) from the flags.
http::HttpServerOptions http_server_options(const server::ServerOptions& opts) {
  http::HttpServerOptions o;
  if (opts.access_log) o.access_log = http::stderr_access_log();
  o.request_timeout = opts.limits.header_timeout;
  o.idle_timeout = opts.limits.idle_timeout;
  o.write_stall_timeout = opts.limits.write_stall_timeout;
  o.tls_shutdown_timeout = opts.limits.tls_shutdown_timeout;
  o.max_connections = server::effective_max_connections(opts.limits);
  o.max_connections_per_address = opts.limits.max_connections_per_address;
  return o;
}

// The TLS context for --tls-cert/--tls-key; none (and true) without them.
bool make_tls(const server::ServerOptions& opts, std::shared_ptr<asio::ssl::context>& tls) {
  if (opts.tls_cert.empty()) return true;
  std::string error;
  tls = http::make_server_tls_context(opts.tls_cert, opts.tls_key, error);
  if (!tls) say(error);
  return tls != nullptr;
}

int run(const server::ServerOptions& opts) {
  JwtVerifier verifier(verifier_options(opts));
  if (!add_keys(opts, verifier)) return exit_usage;
  std::shared_ptr<asio::ssl::context> tls;
  if (!make_tls(opts, tls)) return exit_usage;
  const unsigned threads = opts.threads ? opts.threads : usable_cpus();
  asio::io_context io(static_cast<int>(threads));
  server::ServerKeySource key_source(io, verifier, opts, say);
  if (std::string error; const int status = key_source.start(error)) {
    say(error);
    return status;
  }
  asio::ip::tcp::endpoint endpoint;
  if (!resolve_listen(io, opts.listen_host, opts.listen_port, "--listen", endpoint)) {
    return exit_usage;
  }
  StatusPublisher publisher;
  server::SessionBackend backend(opts, publisher);
  if (!backend.error().empty()) {
    say(backend.error());
    return exit_usage;
  }
  const auto service =
      server::make_session_service(backend, publisher, opts.limits.max_sessions_per_tenant);
  SessionService& sessions = *service;
  // Before the route: the streams it holds give their slots back when it goes.
  http::StreamCaps stream_caps(http::StreamCapsOptions{opts.limits.max_streams_per_token});
  EventsRouteOptions route_options{opts.retry, opts.heartbeat};
  route_options.max_streams_per_session = opts.limits.max_streams_per_session;
  EventsRoute route(verifier, sessions, route_options);
  std::atomic<std::uint64_t> auth_failures{0};
  server::TokenIssuerOptions issuer_options = token_issuer_options(opts);
  issuer_options.verifier_leeway = verifier.options().leeway;
  server::OAuthTokenEndpoint token_endpoint(issuer_options);
  server::SessionRoutes session_routes(verifier, sessions, auth_failures, session_options(opts));
  server::ServerParts parts{route,          sessions,       backend.memory(),
                            token_endpoint, session_routes, auth_failures};
  parts.stream_caps = &stream_caps;
  parts.metrics_elsewhere = !opts.limits.metrics_listen_host.empty();
  http::Router router(opts.base_path);
  server::mount_routes(router, parts);
  server::EventsTokenEndpoint events_token(verifier, sessions, auth_failures, issuer_options);
  events_token.mount(router);
  server::SessionQrEndpoint session_qr(verifier, sessions, auth_failures);
  session_qr.mount(router);
  const server::DemoPage demo_page(opts.base_path);
  demo_page.mount(router);
  const http::HttpDispatcher dispatcher(std::move(router), http::CorsPolicy(opts.cors_origins));
  const http::HttpServerOptions server_options = http_server_options(opts);
  http::HttpServer server(
      io,
      [&dispatcher, &demo_page](http::HttpExchange& ex) {
        if (!demo_page.serve_root(ex)) dispatcher(ex);  // the router cannot match "/"
      },
      server_options, tls);
  parts.server = &server;
  parts.metrics_token = opts.limits.metrics_token;
  parts.key_source = key_source.source();
  auto strand = asio::make_strand(io);
  server::MaintenanceTimer maintenance(strand, route, sessions, server);
  Shutdown shutdown(strand, io, server, maintenance, route);
  std::unique_ptr<server::MetricsListener> metrics_listener;  // --metrics-listen
  if (const int status = start_metrics_listener(io, opts, parts, server_options,
                                                {maintenance, shutdown}, metrics_listener)) {
    return status;
  }
  shutdown.arm();
  if (const auto ec = server.listen(endpoint)) {
    say("cannot listen on " + endpoint_text(endpoint) + ": " + ec.message());
    return 1;
  }
  maintenance.start();
  announce(opts, server, tls != nullptr);
  if (metrics_listener) announce_metrics(metrics_listener->server());
  run_io(io, threads);
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
