#include "eudiplo_sse/redis/redis_session_store.hpp"

#include <chrono>
#include <future>
#include <utility>

#include "eudiplo_sse/error.hpp"
#include "io_thread.hpp"
#include "redis_connection.hpp"
#include "session_fields.hpp"
#include "session_scripts.hpp"

namespace eudiplo_sse::redis {

using detail::RedisReply;

struct RedisSessionStore::Impl {
  Impl(RedisUrl url, RedisOptions opts)
      : options(std::move(opts)),
        connection(std::make_shared<detail::RedisConnection>(io.io(), std::move(url), options)) {
    connection->start();
  }
  ~Impl() {
    io.stop([c = connection] { c->stop(); });
  }

  std::string session_key(std::string_view tenant, std::string_view id) const {
    std::string key = options.key_prefix;
    key.append("s:").append(id).push_back(':');
    key.append(tenant);
    return key;
  }
  std::string due_key() const { return options.key_prefix + "due"; }
  std::string live_key(std::string_view tenant) const {
    std::string key = options.key_prefix;
    key.append("live:").append(tenant);
    return key;
  }
  std::string channel() const { return options.key_prefix + "changes"; }

  // Blocks for a completion-based call; see the header for why it is bounded.
  template <typename T, typename Start>
  T wait(T unavailable, Start start) {
    if (io.on_this_thread()) return unavailable;
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    start([promise](T value) { promise->set_value(std::move(value)); });
    if (future.wait_for(options.command_timeout + std::chrono::seconds(1)) !=
        std::future_status::ready) {
      return unavailable;
    }
    return future.get();
  }

  RedisOptions options;
  detail::IoThread io;  // declared before the connection: outlives its use
  std::shared_ptr<detail::RedisConnection> connection;
};

namespace {

std::string ms(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

RedisSessionStore::RedisSessionStore(RedisUrl url, RedisOptions options)
    : impl_(std::make_unique<Impl>(std::move(url), std::move(options))) {}

RedisSessionStore::~RedisSessionStore() = default;

std::string RedisSessionStore::change_channel() const { return impl_->channel(); }
bool RedisSessionStore::connected() const noexcept { return impl_->connection->connected(); }
std::uint64_t RedisSessionStore::connects() const noexcept { return impl_->connection->connects(); }

void RedisSessionStore::async_create(const Session& s, CreateHandler handler) {
  async_create_capped(s, 0, std::move(handler));
}

void RedisSessionStore::async_create_capped(const Session& s, std::size_t max_live,
                                            CreateHandler handler) {
  if (!is_valid_session_id(s.id)) return handler(error::invalid_session_id);
  impl_->connection->command(
      {"EVAL", detail::create_script, "3", impl_->session_key(s.tenant, s.id), impl_->due_key(),
       impl_->live_key(s.tenant), s.tenant, s.id, ms(s.created_at), ms(s.expires_at),
       ms(s.expires_at + impl_->options.retention), std::to_string(max_live)},
      [handler = std::move(handler)](std::error_code ec, RedisReply r) {
        if (ec) return handler(ec);
        if (r.type != RedisReply::Type::integer) return handler(error::store_unavailable);
        if (r.integer == 1) return handler(std::error_code());
        handler(r.integer == 2 ? make_error_code(error::tenant_session_limit)
                               : make_error_code(error::session_exists));
      });
}

void RedisSessionStore::async_get(std::string_view tenant, std::string_view id,
                                  GetHandler handler) {
  if (!is_valid_session_id(id)) return handler({}, std::nullopt);
  impl_->connection->command(
      {"HMGET", impl_->session_key(tenant, id), "t", "i", "s", "v", "c", "u", "e"},
      [handler = std::move(handler), tenant = std::string(tenant)](std::error_code ec,
                                                                   RedisReply r) {
        if (ec) return handler(ec, std::nullopt);
        if (r.type != RedisReply::Type::array) return handler(error::store_unavailable, {});
        if (r.elements.empty() || r.elements[0].type == RedisReply::Type::nil) {
          return handler({}, std::nullopt);
        }
        auto s = detail::session_from_fields(r.elements, 0);
        // The key holds the tenant; checking the stored one too costs nothing.
        if (!s || s->tenant != tenant) return handler({}, std::nullopt);
        handler({}, std::move(s));
      });
}

void RedisSessionStore::async_transition(std::string_view tenant, std::string_view id,
                                         SessionStatus to, TimePoint now,
                                         TransitionHandler handler) {
  if (!is_valid_session_id(id)) {
    TransitionResult r;
    r.error = error::session_not_found;
    return handler(std::move(r));
  }
  impl_->connection->command(
      {"EVAL", detail::transition_script, "3", impl_->session_key(tenant, id), impl_->due_key(),
       impl_->live_key(tenant), std::string(to_string(to)), ms(now), impl_->channel()},
      [handler = std::move(handler)](std::error_code ec, RedisReply r) {
        handler(detail::transition_from_reply(ec, r));
      });
}

void RedisSessionStore::async_expire_due(TimePoint now, ExpireHandler handler) {
  impl_->connection->command({"EVAL", detail::expire_script, "1", impl_->due_key(), ms(now),
                              std::to_string(impl_->options.expire_batch), impl_->channel()},
                             [handler = std::move(handler)](std::error_code ec, RedisReply r) {
                               if (ec) return handler(ec, {});
                               if (r.type != RedisReply::Type::array)
                                 return handler(error::store_unavailable, {});
                               std::vector<Session> expired;
                               for (const RedisReply& row : r.elements) {
                                 if (row.type != RedisReply::Type::array) continue;
                                 if (auto s = detail::session_from_fields(row.elements, 0))
                                   expired.push_back(*s);
                               }
                               handler({}, std::move(expired));
                             });
}

std::error_code RedisSessionStore::create(const Session& session) {
  return impl_->wait<std::error_code>(error::store_unavailable, [&](auto done) {
    async_create(session, [done](std::error_code ec) { done(ec); });
  });
}

std::error_code RedisSessionStore::create_capped(const Session& session, std::size_t max_live) {
  return impl_->wait<std::error_code>(error::store_unavailable, [&](auto done) {
    async_create_capped(session, max_live, [done](std::error_code ec) { done(ec); });
  });
}

std::optional<Session> RedisSessionStore::get(std::string_view tenant, std::string_view id) {
  return impl_->wait<std::optional<Session>>(std::nullopt, [&](auto done) {
    async_get(tenant, id, [done](std::error_code, std::optional<Session> s) { done(s); });
  });
}

TransitionResult RedisSessionStore::transition(std::string_view tenant, std::string_view id,
                                               SessionStatus to, TimePoint now) {
  TransitionResult unavailable;
  unavailable.error = error::store_unavailable;
  return impl_->wait<TransitionResult>(unavailable, [&](auto done) {
    async_transition(tenant, id, to, now, [done](TransitionResult r) { done(std::move(r)); });
  });
}

std::vector<Session> RedisSessionStore::expire_due(TimePoint now) {
  return impl_->wait<std::vector<Session>>({}, [&](auto done) {
    async_expire_due(now, [done](std::error_code, std::vector<Session> v) { done(std::move(v)); });
  });
}

}  // namespace eudiplo_sse::redis
