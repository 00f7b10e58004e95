// One connection to Redis, driven from an io_context run by ONE thread: connects,
// authenticates and selects the database, reconnects with backoff when the
// connection drops, and bounds every command by options.command_timeout.
//
// Commands may be submitted from any thread. Each completes exactly once, on the
// io thread: with the reply, or with error::store_unavailable when no reply came
// in time (not connected, reconnecting, slow, or the connection dropped with the
// command in flight: then its outcome is unknown).
//
// A connection used for pub/sub (subscribe()) carries nothing else: Redis allows
// only (UN)SUBSCRIBE on it (RESP2).
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "eudiplo_sse/redis/redis_options.hpp"
#include "eudiplo_sse/redis/redis_url.hpp"
#include "redis_reply.hpp"

struct redisAsyncContext;
struct ssl_st;

namespace eudiplo_sse::redis::detail {

using ReplyHandler = std::function<void(std::error_code, RedisReply)>;
class TlsContext;  // tls_context.hpp (builds with hiredis_ssl only)

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  RedisConnection(asio::io_context& io, RedisUrl url, RedisOptions options);
  ~RedisConnection();

  // Starts connecting (posts to the io thread).
  void start();
  // On the io thread: fails everything queued or in flight, frees the context,
  // stops reconnecting. Idempotent.
  void stop();

  // Any thread. An error reply from Redis arrives as a reply of Type::error.
  void command(std::vector<std::string> args, ReplyHandler handler);

  // Before start(): makes this a pub/sub connection on `channel`. `on_message`
  // gets each payload; `on_subscribed` runs each time Redis confirms the
  // subscription (first connect and every reconnect), on the io thread.
  void subscribe(std::string channel, std::function<void(std::string_view)> on_message,
                 std::function<void()> on_subscribed);

  bool connected() const noexcept { return connected_.load(); }
  // How many times a connection became ready (1 after the first connect).
  std::uint64_t connects() const noexcept { return connects_.load(); }
  // Why the last connection attempt failed (errc::connect_failed, errc::tls_*);
  // {} once a connection is ready.
  std::error_code last_error() const noexcept;

 private:
  struct Pending;
  void connect();
  void on_connect(int status);
  void become_ready();
  bool start_tls(redisAsyncContext* ac);
  void await_tls();
  void on_connect_timeout();
  void report(std::error_code ec, const std::string& detail);
  std::error_code attempt_failure(const redisAsyncContext* ac, std::string& detail);
  void schedule_reconnect();
  void send(const std::shared_ptr<Pending>& p);
  void flush_queue();
  void fail_all();
  void on_subscribe_reply(const RedisReply& reply);
  static void complete(const std::shared_ptr<Pending>& p, std::error_code ec, RedisReply r);

  static void connect_cb(const redisAsyncContext* ac, int status);
  static void disconnect_cb(const redisAsyncContext* ac, int status);
  static void reply_cb(redisAsyncContext* ac, void* reply, void* privdata);
  static void subscribe_cb(redisAsyncContext* ac, void* reply, void* privdata);

  asio::io_context& io_;
  RedisUrl url_;
  RedisOptions options_;
  redisAsyncContext* ac_ = nullptr;
  // rediss://: the client context (shared_ptr: its type is incomplete without TLS),
  // why it could not be made, and the TLS session of ac_ (owned by hiredis).
  std::shared_ptr<TlsContext> tls_;
  std::error_code tls_setup_error_;
  ssl_st* ssl_ = nullptr;
  bool tcp_connected_ = false;  // of ac_; with TLS, ready only after a first reply
  bool setting_up_ = false;     // AUTH / SELECT sent on ac_, not all answered yet
  std::error_code reported_;    // the cause last given to on_connection_error
  std::atomic<int> last_error_{0};
  bool stopped_ = false;
  asio::steady_timer reconnect_timer_;
  asio::steady_timer connect_timer_;
  std::chrono::milliseconds backoff_;
  std::deque<std::shared_ptr<Pending>> queue_;  // waiting for a connection
  std::string channel_;
  std::function<void(std::string_view)> on_message_;
  std::function<void()> on_subscribed_;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> connects_{0};
};

}  // namespace eudiplo_sse::redis::detail
