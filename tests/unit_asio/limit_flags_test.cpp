// The hardening limits' flags (examples/server/limit_flags.hpp) through the
// server's whole command line: defaults, both spellings, bad values, --help.
#include "limit_flags.hpp"

#include <sys/resource.h>

#include "catch.hpp"
#include "server_options.hpp"

using namespace eudiplo_sse::server;
using std::chrono::seconds;

TEST_CASE("time limits default to safe values", "[options][limits]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse_server_options({}, o, error) == ParseOutcome::run);
  CHECK(o.limits.header_timeout == seconds(30));
  CHECK(o.limits.idle_timeout == seconds(30));
  CHECK(o.limits.write_stall_timeout == seconds(60));
  CHECK(o.limits.tls_shutdown_timeout == seconds(2));
}

TEST_CASE("time limit flags are read in both spellings", "[options][limits]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse_server_options({"--header-timeout", "5", "--idle-timeout=6",
                                "--write-stall-timeout", "7", "--tls-shutdown-timeout=1"},
                               o, error) == ParseOutcome::run);
  CHECK(o.limits.header_timeout == seconds(5));
  CHECK(o.limits.idle_timeout == seconds(6));
  CHECK(o.limits.write_stall_timeout == seconds(7));
  CHECK(o.limits.tls_shutdown_timeout == seconds(1));
}

TEST_CASE("time limit flags refuse zero, junk and huge values", "[options][limits]") {
  for (const std::string_view bad : {"0", "", "x", "-1", "5s", "99999999"}) {
    ServerOptions o;
    std::string error;
    CHECK(parse_server_options({"--write-stall-timeout", bad}, o, error) == ParseOutcome::error);
    CHECK(error.find("--write-stall-timeout") != std::string::npos);
  }
  ServerOptions o;
  std::string error;
  CHECK(parse_server_options({"--tls-shutdown-timeout", "61"}, o, error) == ParseOutcome::error);
}

TEST_CASE("--help lists every limit flag", "[options][limits]") {
  const auto usage = usage_text();
  for (const char* flag :
       {"--header-timeout", "--idle-timeout", "--write-stall-timeout", "--tls-shutdown-timeout"}) {
    CHECK(is_limit_flag(flag));
    CHECK(usage.find(flag) != std::string::npos);
  }
  CHECK_FALSE(is_limit_flag("--listen"));
}

TEST_CASE("caps, the session TTL bound and the scrape token have flags", "[options][limits]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse_server_options({}, o, error) == ParseOutcome::run);
  CHECK(o.limits.max_connections == 0);  // the descriptor limit, below
  CHECK(o.limits.max_connections_per_address == 0);
  CHECK(effective_max_connections(o.limits) >= 1);
  CHECK(o.limits.max_session_ttl == seconds(86400));
  CHECK(o.limits.metrics_token.empty());
  REQUIRE(parse_server_options(
              {"--max-connections=50", "--max-connections-per-address", "5", "--max-session-ttl",
               "600", "--metrics-token", "scrape-0123456789abcdef"},
              o, error) == ParseOutcome::run);
  CHECK(o.limits.max_connections == 50);
  CHECK(effective_max_connections(o.limits) == 50);
  CHECK(o.limits.max_connections_per_address == 5);
  CHECK(o.limits.max_session_ttl == seconds(600));
  CHECK(o.limits.metrics_token == "scrape-0123456789abcdef");
  for (const auto& bad :
       std::vector<std::vector<std::string_view>>{{"--max-connections", "0"},
                                                  {"--max-connections-per-address", "x"},
                                                  {"--max-session-ttl", "0"},
                                                  {"--metrics-token", "short"}}) {
    ServerOptions p;
    CHECK(parse_server_options(bad, p, error) == ParseOutcome::error);
    CHECK(error.find(bad[0]) != std::string::npos);
    CHECK(error.find("short'") == std::string::npos);  // a token is never echoed
  }
  const auto usage = usage_text();
  for (const char* flag : {"--max-connections", "--max-connections-per-address",
                           "--max-session-ttl", "--metrics-token"}) {
    CHECK(usage.find(flag) != std::string::npos);
  }
}

TEST_CASE("sessions per tenant and the metrics listen address have flags", "[options][limits]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse_server_options({}, o, error) == ParseOutcome::run);
  CHECK(o.limits.max_sessions_per_tenant == 10000);
  CHECK(o.limits.metrics_listen_host.empty());  // /metrics on --listen
  REQUIRE(parse_server_options({"--max-sessions-per-tenant=0", "--metrics-listen", "[::1]:9464"}, o,
                               error) == ParseOutcome::run);
  CHECK(o.limits.max_sessions_per_tenant == 0);
  CHECK(o.limits.metrics_listen_host == "::1");
  CHECK(o.limits.metrics_listen_port == 9464);
  ServerOptions p;
  REQUIRE(parse_server_options({"--max-sessions-per-tenant", "25", "--metrics-listen=10.0.0.1:0"},
                               p, error) == ParseOutcome::run);
  CHECK(p.limits.max_sessions_per_tenant == 25);
  CHECK(p.limits.metrics_listen_host == "10.0.0.1");
  CHECK(p.limits.metrics_listen_port == 0);
  for (const auto& bad :
       std::vector<std::vector<std::string_view>>{{"--max-sessions-per-tenant", "-1"},
                                                  {"--max-sessions-per-tenant", "many"},
                                                  {"--metrics-listen", "9464"},
                                                  {"--metrics-listen", "host:99999"},
                                                  {"--metrics-listen", "::1:9464"},
                                                  {"--metrics-listen", ":9464"}}) {
    ServerOptions q;
    CHECK(parse_server_options(bad, q, error) == ParseOutcome::error);
    CHECK(error.find(bad[0]) != std::string::npos);
  }
  const auto usage = usage_text();
  for (const char* flag : {"--max-sessions-per-tenant", "--metrics-listen"}) {
    CHECK(is_limit_flag(flag));
    CHECK(usage.find(flag) != std::string::npos);
  }
}

TEST_CASE("the default connection cap follows the descriptor limit", "[options][limits]") {
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit lowered = saved;
  lowered.rlim_cur = 300;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  const std::size_t cap = effective_max_connections(ServerLimits{});
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
  CHECK(cap == 300 - 64);
}
