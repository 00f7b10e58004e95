// Shared by the Redis tests: where the fixture's redis-server listens, a plain
// blocking hiredis client for setting up and inspecting Redis, and waiting.
#pragma once

#include <hiredis/hiredis.h>
#include <unistd.h>
#ifdef EUDIPLO_SSE_REDIS_TLS
#include <hiredis/hiredis_ssl.h>
#endif

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

#include "eudiplo_sse/redis/redis_url.hpp"

namespace redis_test {

inline std::string fixture_dir() {
  const char* dir = std::getenv("EUDIPLO_SSE_REDIS_DIR");
  if (dir == nullptr) throw std::runtime_error("EUDIPLO_SSE_REDIS_DIR unset (run through ctest)");
  return dir;
}

inline int port_in(const std::string& dir) {
  std::ifstream in(dir + "/port");
  int port = 0;
  if (!(in >> port)) throw std::runtime_error("no redis-server port in " + dir);
  return port;
}

inline int fixture_port() { return port_in(fixture_dir()); }

// Set when the fixture's Redis speaks TLS only (redis_fixture.sh): its CA and the
// client certificate are there, and every connection of the tests uses rediss://.
inline std::string tls_dir() {
  const char* dir = std::getenv("EUDIPLO_SSE_REDIS_TLS_DIR");
  return dir == nullptr ? std::string() : std::string(dir);
}

inline eudiplo_sse::redis::RedisTlsOptions client_tls() {
  const std::string dir = tls_dir();
  return {dir + "/ca.crt", "", dir + "/client.crt", dir + "/client.key"};
}

inline eudiplo_sse::redis::RedisUrl url_for(int port, int db = 0) {
  eudiplo_sse::redis::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = static_cast<std::uint16_t>(port);
  url.db = db;
  if (!tls_dir().empty()) {
    url.tls = true;
    url.tls_options = client_tls();
  }
  return url;
}

// A unique key prefix per test, so tests never see each other's keys.
inline std::string unique_prefix(const std::string& name) {
  static int counter = 0;
  return "test:" + name + ":" + std::to_string(::getpid()) + ":" + std::to_string(++counter) + ":";
}

// Blocking hiredis client for the test's own commands.
class Cli {
 public:
  explicit Cli(int port) : c_(redisConnect("127.0.0.1", port)) {
    if (c_ == nullptr || c_->err) throw std::runtime_error("cannot connect to redis-server");
    if (!tls_dir().empty()) start_tls();
  }
  ~Cli() {
    redisFree(c_);
#ifdef EUDIPLO_SSE_REDIS_TLS
    redisFreeSSLContext(ssl_);
#endif
  }
  Cli(const Cli&) = delete;
  Cli& operator=(const Cli&) = delete;

  // The reply as text: integers written out, nil as "(nil)", errors as "ERR...".
  std::string run(const std::string& command) {
    auto* r = static_cast<redisReply*>(redisCommand(c_, command.c_str()));
    if (r == nullptr) throw std::runtime_error("redis command failed");
    std::string out;
    if (r->type == REDIS_REPLY_INTEGER)
      out = std::to_string(r->integer);
    else if (r->type == REDIS_REPLY_NIL)
      out = "(nil)";
    else if (r->str != nullptr)
      out.assign(r->str, r->len);
    freeReplyObject(r);
    return out;
  }

 private:
  // hiredis's own TLS (the tests' helper, not the code under test).
  void start_tls() {
#ifdef EUDIPLO_SSE_REDIS_TLS
    const auto o = client_tls();
    ssl_ = redisCreateSSLContext(o.ca_file.c_str(), nullptr, o.cert_file.c_str(),
                                 o.key_file.c_str(), nullptr, nullptr);
    if (ssl_ != nullptr && redisInitiateSSLWithContext(c_, ssl_) == REDIS_OK) return;
#endif
    redisFree(c_);
    throw std::runtime_error("cannot start TLS with redis-server");
  }

  redisContext* c_;
#ifdef EUDIPLO_SSE_REDIS_TLS
  redisSSLContext* ssl_ = nullptr;
#endif
};

// Polls `done` every 10 ms for up to `limit` (a liveness bound, not a timing check).
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace redis_test
