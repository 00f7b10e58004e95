// A host built against the installed package with find_package(eudiplo_sse
// COMPONENTS redis): it parses a redis:// URL and points a RedisSessionStore at a
// port where no Redis listens. The store must answer store_unavailable within its
// bounded wait (never hang), which exercises the component's hiredis link and its
// own thread. Exits 0 on success.
#include <chrono>
#include <cstdio>
#include <future>

#include <eudiplo_sse/error.hpp>
#include <eudiplo_sse/redis/redis_session_store.hpp>
#include <eudiplo_sse/redis/redis_url.hpp>

int main() {
  eudiplo_sse::redis::RedisUrl url;
  // Port 1 on loopback: nothing listens there, so every connect is refused.
  if (eudiplo_sse::redis::parse_redis_url("redis://127.0.0.1:1/0", url)) return 1;
  eudiplo_sse::redis::RedisOptions options;
  options.connect_timeout = std::chrono::milliseconds(200);
  options.command_timeout = std::chrono::milliseconds(500);
  eudiplo_sse::redis::RedisSessionStore store(url, options);

  std::promise<std::error_code> answered;
  store.async_get(
      "tenant", "session",
      [&](std::error_code ec, std::optional<eudiplo_sse::Session>) { answered.set_value(ec); });
  auto result = answered.get_future();
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    std::puts("no answer within 10 s");
    return 1;
  }
  const std::error_code ec = result.get();
  std::printf("redis component: %s\n", ec.message().c_str());
  return ec == eudiplo_sse::error::store_unavailable ? 0 : 1;
}
