#include "redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <asio/post.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "asio_hiredis.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/redis/redis_error.hpp"

#ifdef EUDIPLO_SSE_REDIS_TLS
#include <hiredis/hiredis_ssl.h>

#include "tls_context.hpp"
#endif

namespace eudiplo_sse::redis::detail {

struct RedisConnection::Pending {
  explicit Pending(asio::io_context& io) : timer(io) {}
  std::vector<std::string> args;
  ReplyHandler handler;
  asio::steady_timer timer;
  bool done = false;
};

RedisConnection::RedisConnection(asio::io_context& io, RedisUrl url, RedisOptions options)
    : io_(io),
      url_(std::move(url)),
      options_(std::move(options)),
      reconnect_timer_(io),
      connect_timer_(io),
      backoff_(options_.reconnect_min) {
  if (!url_.tls) return;
#ifdef EUDIPLO_SSE_REDIS_TLS
  // One context per connection, loaded once: every reconnect reuses it.
  tls_ = TlsContext::create(url_.tls_options, tls_setup_error_);
#else
  tls_setup_error_ = errc::tls_unavailable;
#endif
}

RedisConnection::~RedisConnection() = default;

void RedisConnection::start() {
  asio::post(io_, [self = shared_from_this()] { self->connect(); });
}

void RedisConnection::subscribe(std::string channel,
                                std::function<void(std::string_view)> on_message,
                                std::function<void()> on_subscribed) {
  channel_ = std::move(channel);
  on_message_ = std::move(on_message);
  on_subscribed_ = std::move(on_subscribed);
}

void RedisConnection::command(std::vector<std::string> args, ReplyHandler handler) {
  auto p = std::make_shared<Pending>(io_);
  p->args = std::move(args);
  p->handler = std::move(handler);
  asio::post(io_, [self = shared_from_this(), p] {
    if (self->stopped_) return complete(p, error::store_unavailable, {});
    // The bound covers waiting for a connection as well as the reply.
    p->timer.expires_after(self->options_.command_timeout);
    p->timer.async_wait([p](const asio::error_code& ec) {
      if (!ec) complete(p, error::store_unavailable, {});
    });
    if (self->ac_ != nullptr && self->connected_) {
      self->send(p);
    } else if (self->queue_.size() >= self->options_.max_queued) {
      complete(p, error::store_unavailable, {});
    } else {
      self->queue_.push_back(p);
    }
  });
}

void RedisConnection::complete(const std::shared_ptr<Pending>& p, std::error_code ec,
                               RedisReply r) {
  if (p->done) return;
  p->done = true;
  p->timer.cancel();
  ReplyHandler handler = std::move(p->handler);
  p->handler = nullptr;
  // A throwing handler must not take the io thread (and every other stream) down.
  try {
    handler(ec, std::move(r));
  } catch (...) {
  }
}

void RedisConnection::send(const std::shared_ptr<Pending>& p) {
  if (p->done) return;
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(p->args.size());
  lens.reserve(p->args.size());
  for (const std::string& a : p->args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* holder = new std::shared_ptr<Pending>(p);
  if (redisAsyncCommandArgv(ac_, reply_cb, holder, static_cast<int>(argv.size()), argv.data(),
                            lens.data()) != REDIS_OK) {
    delete holder;
    complete(p, error::store_unavailable, {});
  }
}

void RedisConnection::reply_cb(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<std::shared_ptr<Pending>> holder(
      static_cast<std::shared_ptr<Pending>*>(privdata));
  // No reply: the connection went away with the command in flight.
  if (reply == nullptr) return complete(*holder, error::store_unavailable, {});
  complete(*holder, {}, to_reply(static_cast<redisReply*>(reply)));
}

void RedisConnection::flush_queue() {
  while (!queue_.empty() && ac_ != nullptr) {
    auto p = std::move(queue_.front());
    queue_.pop_front();
    send(p);
  }
}

void RedisConnection::connect() {
  if (stopped_ || ac_ != nullptr) return;
  if (url_.tls && !tls_) {
    // Bad TLS files never get better: no retries; commands fail by their timeout.
    return report(tls_setup_error_, {});
  }
  redisAsyncContext* ac = redisAsyncConnect(url_.host.c_str(), url_.port);
  if (ac == nullptr) {
    report(errc::connect_failed, "out of memory");
    return schedule_reconnect();
  }
  // TLS starts right away (the ClientHello waits for the TCP connect in OpenSSL),
  // before hiredis's I/O is routed through Asio.
  if (ac->err != 0 || (url_.tls && !start_tls(ac)) || !attach_to_asio(ac, io_)) {
    if (ac->err != 0) report(errc::connect_failed, ac->errstr);
    ssl_ = nullptr;
    redisAsyncFree(ac);
    return schedule_reconnect();
  }
  ac_ = ac;
  ac->data = this;
  tcp_connected_ = false;
  setting_up_ = false;
  // Notices a peer that vanished without closing (no FIN) within minutes, not hours.
  redisEnableKeepAlive(&ac->c);
  redisAsyncSetConnectCallback(ac, connect_cb);
  redisAsyncSetDisconnectCallback(ac, disconnect_cb);
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    auto self = weak.lock();
    if (!ec && self) self->on_connect_timeout();
  });
}

bool RedisConnection::start_tls(redisAsyncContext* ac) {
#ifdef EUDIPLO_SSE_REDIS_TLS
  SSL* ssl = tls_->new_session(url_.host);
  if (ssl == nullptr) {
    report(errc::tls_handshake_failed, "cannot create a TLS session");
    return false;
  }
  if (redisInitiateSSL(&ac->c, ssl) != REDIS_OK) {
    std::string detail;
    const std::error_code ec = tls_failure(ssl, detail);
    SSL_free(ssl);  // hiredis owns it only when initiating succeeded
    // No TLS reason: the socket itself failed (e.g. the RST of a closed port came first).
    report(ec ? ec : errc::connect_failed, detail.empty() ? ac->c.errstr : detail);
    return false;
  }
  ssl_ = ssl;
  return true;
#else
  (void)ac;
  return false;
#endif
}

void RedisConnection::on_connect_timeout() {
  if (ac_ == nullptr || connected_) return;
  // Connected over TCP but no TLS session: likely a plain port that waits for a
  // full line of our ClientHello, or a peer that never answers.
  if (setting_up_) {
    report(errc::auth_failed, "no answer to AUTH or SELECT");
  } else {
    report(tcp_connected_ && url_.tls ? std::error_code(errc::tls_handshake_timeout)
                                      : std::error_code(errc::connect_failed),
           "timed out");
  }
  // Give up on this attempt (outside any hiredis callback).
  redisAsyncContext* stale = ac_;
  ac_ = nullptr;
  ssl_ = nullptr;
  redisAsyncFree(stale);
  schedule_reconnect();
}

void RedisConnection::connect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (status != REDIS_OK) {
    self->connect_timer_.cancel();
    std::string detail;
    const std::error_code ec = self->attempt_failure(ac, detail);
    // hiredis frees the context when this returns.
    self->ac_ = nullptr;
    self->ssl_ = nullptr;
    self->report(ec, detail);
    return self->schedule_reconnect();
  }
  self->tcp_connected_ = true;
  if (self->url_.tls) return self->await_tls();
  self->on_connect(status);
}

// hiredis calls the connect callback when TCP is up, before the TLS handshake has
// even started. A first reply proves the session (any reply: NOAUTH is one too);
// until then the connect timer still runs, and a refused or failed handshake shows
// up as a disconnect with the reason in OpenSSL's error queue.
void RedisConnection::await_tls() {
  auto p = std::make_shared<Pending>(io_);
  p->args = {"PING"};
  p->handler = [weak = weak_from_this()](std::error_code ec, RedisReply) {
    auto self = weak.lock();
    if (ec || !self || self->ac_ == nullptr || self->connected_) return;
    self->on_connect(REDIS_OK);
  };
  send(p);
}

// AUTH and SELECT first; the subscription and every queued command only once
// both have succeeded. Pipelined behind a refused AUTH, they would run as Redis's
// default user (when that user is open) or in database 0. The connect timer still
// runs meanwhile.
void RedisConnection::on_connect(int) {
  std::vector<std::vector<std::string>> steps;
  if (!url_.password.empty()) {
    if (url_.username.empty()) {
      steps.push_back({"AUTH", url_.password});
    } else {
      steps.push_back({"AUTH", url_.username, url_.password});
    }
  }
  // A subscriber connection needs no database: channels are server-wide.
  if (url_.db != 0 && channel_.empty()) steps.push_back({"SELECT", std::to_string(url_.db)});
  if (steps.empty()) return become_ready();
  setting_up_ = true;
  auto left = std::make_shared<std::size_t>(steps.size());
  for (auto& args : steps) {
    auto p = std::make_shared<Pending>(io_);
    p->args = std::move(args);
    p->handler = [weak = weak_from_this(), left](std::error_code ec, RedisReply r) {
      auto self = weak.lock();
      if (!self || !self->setting_up_) return;  // an earlier step failed, or a new attempt
      if (ec || r.is_error()) {
        // A wrong password or database: drop the connection and retry with backoff
        // (commands meanwhile fail with store_unavailable, never hang).
        self->setting_up_ = false;
        self->report(errc::auth_failed, ec ? std::string() : r.str);
        if (self->ac_ != nullptr) redisAsyncDisconnect(self->ac_);
        return;
      }
      if (--*left == 0) {
        self->setting_up_ = false;
        self->become_ready();
      }
    };
    send(p);
  }
}

void RedisConnection::become_ready() {
  connect_timer_.cancel();
  connected_ = true;
  ++connects_;
  backoff_ = options_.reconnect_min;
  reported_ = {};
  last_error_ = 0;
  if (!channel_.empty()) {
    const char* argv[] = {"SUBSCRIBE", channel_.c_str()};
    const std::size_t lens[] = {9, channel_.size()};
    redisAsyncCommandArgv(ac_, subscribe_cb, this, 2, argv, lens);
    return;
  }
  flush_queue();
}

void RedisConnection::subscribe_cb(redisAsyncContext*, void* reply, void* privdata) {
  if (reply == nullptr) return;  // the connection is going away; reconnect resubscribes
  static_cast<RedisConnection*>(privdata)->on_subscribe_reply(
      to_reply(static_cast<redisReply*>(reply)));
}

void RedisConnection::on_subscribe_reply(const RedisReply& r) {
  if (r.type != RedisReply::Type::array || r.elements.size() != 3) return;
  const std::string& kind = r.elements[0].str;
  try {
    if (kind == "message" && on_message_) {
      on_message_(r.elements[2].str);
    } else if (kind == "subscribe" && on_subscribed_) {
      on_subscribed_();
    }
  } catch (...) {
    // Handlers must not throw; if one does, the connection carries on.
  }
}

void RedisConnection::disconnect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  // An error before the connection was ready: the attempt failed, and why is
  // reported (REDIS_OK is our own disconnect or free). The failure is read even
  // when not reported, so that no OpenSSL error stays in this thread's queue to be
  // blamed on another connection.
  if (status != REDIS_OK) {
    std::string detail;
    const std::error_code ec = self->attempt_failure(ac, detail);
    if (!self->connected_ && !self->stopped_) self->report(ec, detail);
  }
  // hiredis frees the context when this returns; in-flight commands have already
  // been completed (with no reply, so store_unavailable).
  self->ac_ = nullptr;
  self->ssl_ = nullptr;
  self->connected_ = false;
  self->schedule_reconnect();
}

// Why `ac` failed: the TLS reason when TLS had got going (tls_context.hpp), else a
// TCP failure; the detail is OpenSSL's reason, else hiredis's text.
std::error_code RedisConnection::attempt_failure(const redisAsyncContext* ac, std::string& detail) {
  std::error_code ec = errc::connect_failed;
#ifdef EUDIPLO_SSE_REDIS_TLS
  if (ssl_ != nullptr) {
    if (const std::error_code tls = tls_failure(ssl_, detail)) ec = tls;
  }
#endif
  if (detail.empty()) detail = ac->errstr;
  return ec;
}

void RedisConnection::report(std::error_code ec, const std::string& detail) {
  last_error_ = ec.value();
  if (ec == reported_) return;
  reported_ = ec;
  if (!options_.on_connection_error) return;
  try {
    options_.on_connection_error(ec, detail);
  } catch (...) {
    // A throwing hook must not take the io thread down.
  }
}

std::error_code RedisConnection::last_error() const noexcept {
  const int value = last_error_.load();
  if (value == 0) return {};
  return {value, redis_category()};
}

void RedisConnection::schedule_reconnect() {
  connected_ = false;
  if (stopped_) return;
  reconnect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  reconnect_timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    auto self = weak.lock();
    if (!ec && self) self->connect();
  });
}

void RedisConnection::stop() {
  if (stopped_) return;
  stopped_ = true;
  reconnect_timer_.cancel();
  connect_timer_.cancel();
  fail_all();
  if (ac_ != nullptr) {
    redisAsyncContext* ac = ac_;
    ac_ = nullptr;
    ssl_ = nullptr;
    redisAsyncFree(ac);  // completes in-flight commands with no reply
  }
  connected_ = false;
}

void RedisConnection::fail_all() {
  while (!queue_.empty()) {
    auto p = std::move(queue_.front());
    queue_.pop_front();
    complete(p, error::store_unavailable, {});
  }
}

}  // namespace eudiplo_sse::redis::detail
