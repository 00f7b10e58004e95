// Shared by the Redis tests: where the fixture's redis-server listens, a plain
// blocking hiredis client for setting up and inspecting Redis, and waiting.
#pragma once

#include <hiredis/hiredis.h>
#include <unistd.h>

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

inline eudiplo_sse::redis::RedisUrl url_for(int port, int db = 0) {
  eudiplo_sse::redis::RedisUrl url;
  url.host = "127.0.0.1";
  url.port = static_cast<std::uint16_t>(port);
  url.db = db;
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
  }
  ~Cli() { redisFree(c_); }
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
  redisContext* c_;
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
