// Tuning shared by RedisSessionStore and RedisStatusBus. The defaults suit a Redis
// on the same network; every wait is bounded so no call hangs when Redis is gone.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <system_error>

namespace eudiplo_sse::redis {

struct RedisOptions {
  // Prefix of every key and of the change channel; instances that share sessions
  // must use the same one (and the same database).
  std::string key_prefix = "eudiplo_sse:";
  // Longest wait for a TCP connect to Redis before retrying.
  std::chrono::milliseconds connect_timeout{1000};
  // Longest wait for any command, queueing while reconnecting included: after it
  // the operation completes with error::store_unavailable.
  std::chrono::milliseconds command_timeout{2000};
  // Reconnect backoff: doubles from min to max after each failed attempt.
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
  // How long a session stays readable after its expiry (Redis TTL of its hash).
  std::chrono::seconds retention{3600};
  // Commands waiting for a connection beyond this many fail at once.
  std::size_t max_queued = 100000;
  // Sessions expired per expire_due script run (keeps each run short for Redis).
  std::size_t expire_batch = 1000;
  // Told why a connection attempt failed: errc::connect_failed or an errc::tls_*
  // error, and a fixed-text detail from hiredis or OpenSSL (e.g. "Connection
  // refused", "certificate has expired"; never the URL or a password). Once per
  // cause until a connection is ready again, so a log line per outage, not per
  // retry. Runs on the component's I/O threads (two may call at once): must not
  // block; an exception it throws is swallowed.
  std::function<void(std::error_code, const std::string& detail)> on_connection_error;
};

}  // namespace eudiplo_sse::redis
