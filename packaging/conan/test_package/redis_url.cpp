// With the `with_redis` option: the component links, and its URL parser (which
// needs no server) reads a full URL and refuses a wrong scheme.
#include <eudiplo_sse/redis/redis_url.hpp>

bool redis_urls_parse() {
  eudiplo_sse::redis::RedisUrl url;
  if (eudiplo_sse::redis::parse_redis_url("redis://:p%40ss@127.0.0.1:6380/2", url)) return false;
  if (url.host != "127.0.0.1" || url.port != 6380 || url.password != "p@ss" || url.db != 2) {
    return false;
  }
  eudiplo_sse::redis::RedisUrl other;
  return static_cast<bool>(eudiplo_sse::redis::parse_redis_url("http://127.0.0.1/", other));
}
