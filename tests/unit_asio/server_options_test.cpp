#include "server_options.hpp"

#include "catch.hpp"

using namespace eudiplo_sse::server;

namespace {

ParseOutcome parse(std::vector<std::string_view> args, ServerOptions& out, std::string& error) {
  return parse_server_options(args, out, error);
}

}  // namespace

TEST_CASE("defaults are the contract's", "[options]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({}, o, error) == ParseOutcome::run);
  CHECK(o.listen_host == "127.0.0.1");
  CHECK(o.listen_port == 8080);
  CHECK_FALSE(o.jwt_secret_given);
  CHECK(o.jwt_secret.size() >= 32);
  CHECK(o.issuer == "eudiplo-service");
  CHECK(o.audience.empty());
  CHECK(o.tenant_claim == "tenant_id");
  REQUIRE(o.clients.size() == 1);
  CHECK(o.clients[0].id == "demo");
  CHECK(o.clients[0].secret == "demo-secret");
  CHECK(o.clients[0].tenant == "demo");
  CHECK(o.heartbeat == std::chrono::seconds(15));
  CHECK(o.session_ttl == std::chrono::seconds(300));
  CHECK(o.retry == std::chrono::milliseconds(3000));
  CHECK(o.cors_origins.empty());
  CHECK(o.base_path.empty());
  CHECK(o.tls_cert.empty());
}

TEST_CASE("every flag is read, in both spellings", "[options]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({"--listen",
                 "0.0.0.0:0",
                 "--jwt-secret=0123456789abcdef0123456789abcdef",
                 "--issuer",
                 "iss",
                 "--audience",
                 "aud",
                 "--tenant-claim",
                 "tid",
                 "--client",
                 "a:b:c:d",
                 "--client=e:f:g",
                 "--no-demo-client",
                 "--heartbeat",
                 "1",
                 "--session-ttl",
                 "2",
                 "--retry",
                 "0",
                 "--cors-origin",
                 "*",
                 "--cors-origin",
                 "http://x",
                 "--base-path",
                 "/api/",
                 "--tls-cert",
                 "c.pem",
                 "--tls-key",
                 "k.pem",
                 "--jwks",
                 "keys.json",
                 "--threads",
                 "3",
                 "--no-access-log"},
                o, error) == ParseOutcome::run);
  CHECK(o.listen_host == "0.0.0.0");
  CHECK(o.listen_port == 0);
  CHECK(o.jwt_secret_given);
  CHECK(o.issuer == "iss");
  CHECK(o.audience == "aud");
  CHECK(o.tenant_claim == "tid");
  REQUIRE(o.clients.size() == 2);
  CHECK(o.clients[0].id == "a");
  CHECK(o.clients[0].secret == "b:c");  // a secret may hold ':'
  CHECK(o.clients[0].tenant == "d");
  CHECK(o.clients[1].tenant == "g");
  CHECK(o.heartbeat == std::chrono::seconds(1));
  CHECK(o.session_ttl == std::chrono::seconds(2));
  CHECK(o.retry == std::chrono::milliseconds(0));
  CHECK(o.cors_origins == std::vector<std::string>{"*", "http://x"});
  CHECK(o.base_path == "/api");
  CHECK(o.tls_cert == "c.pem");
  CHECK(o.tls_key == "k.pem");
  CHECK(o.jwks_file == "keys.json");
  CHECK(o.threads == 3);
  CHECK_FALSE(o.access_log);
}

TEST_CASE("the demo client stays next to --client unless disabled", "[options]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({"--client", "x:y:z"}, o, error) == ParseOutcome::run);
  REQUIRE(o.clients.size() == 2);
  CHECK(o.clients[1].id == "demo");
}

TEST_CASE("IPv6 listen addresses need brackets", "[options]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({"--listen", "[::1]:9000"}, o, error) == ParseOutcome::run);
  CHECK(o.listen_host == "::1");
  CHECK(o.listen_port == 9000);
}

TEST_CASE("bad flags and values are errors with a message", "[options]") {
  const std::vector<std::vector<std::string_view>> bad = {
      {"--nope"},
      {"positional"},
      {"--listen"},
      {"--listen", "8080"},
      {"--listen", "host:"},
      {"--listen", "host:70000"},
      {"--listen", "::1:80"},
      {"--jwt-secret", "short"},
      {"--heartbeat", "-1"},
      {"--heartbeat", "1.5"},
      {"--heartbeat", "x"},
      {"--session-ttl", "0"},
      {"--retry", "fast"},
      {"--client", "a:b"},
      {"--client", "::c"},
      {"--base-path", "/a b"},
      {"--tls-cert", "c.pem"},
      {"--cors-origin", ""},
      {"--no-demo-client=1"},
      {"--threads", "0"},
  };
  for (const auto& args : bad) {
    ServerOptions o;
    std::string error;
    INFO(args.front() << (args.size() > 1 ? " " + std::string(args[1]) : ""));
    CHECK(parse(args, o, error) == ParseOutcome::error);
    CHECK_FALSE(error.empty());
    if (args.size() > 1 && args[0] == "--jwt-secret")
      CHECK(error.find(args[1]) == std::string::npos);
  }
}

TEST_CASE("--help is recognised anywhere", "[options]") {
  ServerOptions o;
  std::string error;
  CHECK(parse({"--listen", "a:1", "-h"}, o, error) == ParseOutcome::help);
  CHECK(parse({"--help"}, o, error) == ParseOutcome::help);
  CHECK(usage_text().find("--tls-key") != std::string::npos);
}

TEST_CASE("--token-ttl sets the lifetime of issued tokens", "[options]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({}, o, error) == ParseOutcome::run);
  CHECK(o.token_ttl == std::chrono::seconds(3600));
  REQUIRE(parse({"--token-ttl", "5"}, o, error) == ParseOutcome::run);
  CHECK(o.token_ttl == std::chrono::seconds(5));
  REQUIRE(parse({"--token-ttl=31536000"}, o, error) == ParseOutcome::run);
  CHECK(o.token_ttl == std::chrono::seconds(31536000));
  for (const std::string_view bad : {"0", "-1", "1.5", "x", "31536001"}) {
    ServerOptions b;
    CHECK(parse({"--token-ttl", bad}, b, error) == ParseOutcome::error);
    CHECK(error.find("--token-ttl") != std::string::npos);
  }
  CHECK(usage_text().find("--token-ttl") != std::string::npos);
}

TEST_CASE("--token-leeway sets the verifier's clock-skew allowance", "[options]") {
  ServerOptions o;
  std::string error;
  REQUIRE(parse({}, o, error) == ParseOutcome::run);
  CHECK(o.token_leeway == std::chrono::seconds(30));
  REQUIRE(parse({"--token-leeway", "0"}, o, error) == ParseOutcome::run);
  CHECK(o.token_leeway == std::chrono::seconds(0));
  REQUIRE(parse({"--token-leeway=300"}, o, error) == ParseOutcome::run);
  CHECK(o.token_leeway == std::chrono::seconds(300));
  for (const std::string_view bad : {"-1", "x", "301", ""}) {
    ServerOptions b;
    CHECK(parse({"--token-leeway", bad}, b, error) == ParseOutcome::error);
    CHECK(error.find("--token-leeway") != std::string::npos);
  }
  CHECK(usage_text().find("--token-leeway") != std::string::npos);
}

TEST_CASE("--redis-tls-* flags go with a rediss:// URL", "[options][redis]") {
  std::string error;
  {
    ServerOptions o;
    REQUIRE(parse({"--redis", "rediss://127.0.0.1:6380/0", "--redis-tls-ca", "ca.pem",
                   "--redis-tls-ca-dir=/etc/ssl/certs", "--redis-tls-cert", "client.pem",
                   "--redis-tls-key=client.key"},
                  o, error) == ParseOutcome::run);
    CHECK(o.redis_url == "rediss://127.0.0.1:6380/0");
    CHECK(o.redis_tls_ca == "ca.pem");
    CHECK(o.redis_tls_ca_dir == "/etc/ssl/certs");
    CHECK(o.redis_tls_cert == "client.pem");
    CHECK(o.redis_tls_key == "client.key");
  }
  {
    ServerOptions o;
    CHECK(parse({"--redis", "redis://h/0", "--redis-tls-ca", "ca.pem"}, o, error) ==
          ParseOutcome::error);
    CHECK(error.find("rediss://") != std::string::npos);
  }
  {
    ServerOptions o;
    CHECK(parse({"--redis-tls-ca", "ca.pem"}, o, error) == ParseOutcome::error);
    CHECK(error.find("rediss://") != std::string::npos);
  }
  {
    ServerOptions o;
    CHECK(parse({"--redis", "rediss://h", "--redis-tls-cert", "c.pem"}, o, error) ==
          ParseOutcome::error);
    CHECK(error == "--redis-tls-cert and --redis-tls-key go together");
  }
  {
    ServerOptions o;
    CHECK(parse({"--redis", "rediss://h", "--redis-tls-ca="}, o, error) == ParseOutcome::error);
    CHECK(error == "--redis-tls-ca needs a file name");
  }
  CHECK(usage_text().find("--redis-tls-ca FILE") != std::string::npos);
}
