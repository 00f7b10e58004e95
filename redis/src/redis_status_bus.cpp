#include "eudiplo_sse/redis/redis_status_bus.hpp"

#include <asio/steady_timer.hpp>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "change_message.hpp"
#include "eudiplo_sse/detail/session_key.hpp"
#include "io_thread.hpp"
#include "redis_connection.hpp"

namespace eudiplo_sse::redis {

struct RedisStatusBus::Impl : std::enable_shared_from_this<Impl> {
  static constexpr int kRereadAttempts = 15;  // with reconnect_max between: ~30 s by default

  struct Watched {
    std::string tenant;
    std::string id;
    std::size_t count = 0;
  };

  Impl(RedisOptions opts, StatusPublisher& p, SessionStore& s, BusPublishing mode)
      : options(std::move(opts)), local(p), store(s), publishing(mode) {}

  void start(const RedisUrl& url) {
    const std::string channel = options.key_prefix + "changes";
    subscriber = std::make_shared<detail::RedisConnection>(io.io(), url, options);
    std::weak_ptr<Impl> weak = shared_from_this();
    subscriber->subscribe(
        channel,
        [weak](std::string_view message) {
          auto self = weak.lock();
          if (!self) return;
          if (auto event = detail::parse_change(message)) self->local.publish(event);
        },
        [weak] {
          if (auto self = weak.lock()) self->on_subscribed();
        });
    subscriber->start();
    if (publishing == BusPublishing::by_bus) {
      publisher = std::make_shared<detail::RedisConnection>(io.io(), url, options);
      publisher->start();
    }
  }

  void stop() {
    io.stop([this] {
      if (subscriber) subscriber->stop();
      if (publisher) publisher->stop();
    });
  }

  // After every (re)subscription: anything published while we were away is
  // covered by reading the current status of what local streams follow.
  void on_subscribed() {
    const bool first = subscriptions.fetch_add(1) == 0;
    if (first) return;  // nothing can have been missed before the first subscription
    std::vector<std::pair<std::string, std::string>> keys;
    {
      std::lock_guard<std::mutex> lock(mutex);
      keys.reserve(watched.size());
      for (const auto& kv : watched) keys.emplace_back(kv.second.tenant, kv.second.id);
    }
    for (auto& [tenant, id] : keys) reread(std::move(tenant), std::move(id), 0);
  }

  // Reads one session and delivers it. The store may be reconnecting too (Redis
  // restarted): then try again a little later, for a bounded number of times.
  void reread(std::string tenant, std::string id, int attempt) {
    std::weak_ptr<Impl> weak = shared_from_this();
    store.async_get(
        tenant, id, [weak, tenant, id, attempt](std::error_code ec, std::optional<Session> s) {
          auto self = weak.lock();
          if (!self) return;
          if (ec && attempt < kRereadAttempts) {
            auto timer =
                std::make_shared<asio::steady_timer>(self->io.io(), self->options.reconnect_max);
            timer->async_wait([weak, timer, tenant, id, attempt](const asio::error_code& wait_ec) {
              auto again = weak.lock();
              if (!wait_ec && again) again->reread(tenant, id, attempt + 1);
            });
            return;
          }
          if (ec || !s) return;
          ++self->resynced;
          self->local.publish(make_status_event(*s));
        });
  }

  void add_watch(const std::string& key, std::string_view tenant, std::string_view id) {
    std::lock_guard<std::mutex> lock(mutex);
    Watched& w = watched[key];
    if (w.count++ == 0) {
      w.tenant = std::string(tenant);
      w.id = std::string(id);
    }
  }
  void drop_watch(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = watched.find(key);
    if (it != watched.end() && --it->second.count == 0) watched.erase(it);
  }

  RedisOptions options;
  StatusPublisher& local;
  SessionStore& store;
  BusPublishing publishing;
  std::mutex mutex;
  std::unordered_map<std::string, Watched> watched;
  std::atomic<std::uint64_t> subscriptions{0};
  std::atomic<std::uint64_t> resynced{0};
  detail::IoThread io;
  std::shared_ptr<detail::RedisConnection> subscriber;
  std::shared_ptr<detail::RedisConnection> publisher;
};

RedisStatusBus::RedisStatusBus(RedisUrl url, RedisOptions options, StatusPublisher& local,
                               SessionStore& store, BusPublishing publishing)
    : impl_(std::make_shared<Impl>(std::move(options), local, store, publishing)) {
  impl_->start(url);
}

RedisStatusBus::~RedisStatusBus() { impl_->stop(); }

void RedisStatusBus::publish(const StatusEventPtr& event) {
  // Local streams first, without the round trip; the echo is dropped by version.
  impl_->local.publish(event);
  if (impl_->publisher) {
    impl_->publisher->command(
        {"PUBLISH", impl_->options.key_prefix + "changes", detail::format_change(*event)},
        [](std::error_code, detail::RedisReply) {});
  }
}

void RedisStatusBus::watch(std::string_view tenant, std::string_view id) {
  impl_->add_watch(eudiplo_sse::detail::session_key(tenant, id), tenant, id);
}

void RedisStatusBus::unwatch(std::string_view tenant, std::string_view id) {
  impl_->drop_watch(eudiplo_sse::detail::session_key(tenant, id));
}

bool RedisStatusBus::subscribed() const noexcept { return impl_->subscriber->connected(); }
std::uint64_t RedisStatusBus::subscriptions() const noexcept { return impl_->subscriptions; }
std::uint64_t RedisStatusBus::resynced() const noexcept { return impl_->resynced; }

}  // namespace eudiplo_sse::redis
