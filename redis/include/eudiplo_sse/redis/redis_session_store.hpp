// Sessions in Redis, shared by every instance that points at the same Redis,
// database and key prefix (design: docs/scaling.md).
//
// - A session is a hash keyed by tenant and id, with a Redis TTL `retention`
//   past its expiry; non-terminal sessions are also in a sorted set by expiry.
// - Transitions and expiry are single Lua scripts: compare-and-set and the
//   version bump in one atomic step, so racing instances produce exactly one
//   winner, and each due session is expired by exactly one expire_due call.
// - The same script PUBLISHes every change it commits on the change channel, so
//   a change is published if and only if it is committed (use RedisStatusBus
//   with BusPublishing::by_store_scripts).
//
// Threads: the store owns one I/O thread that drives hiredis through Asio. The
// async_* calls return at once; their handlers run on that thread, exactly once,
// within options.command_timeout (error::store_unavailable when Redis did not
// answer: unreachable, reconnecting, slow). The synchronous calls wait for the
// same completion (at most command_timeout plus a second), so they BLOCK the
// caller: use them in tools and tests, never on an I/O thread; called on the
// store's own thread they fail at once (get() returns std::nullopt,
// the others error::store_unavailable) instead of deadlocking.
#pragma once

#include <cstdint>
#include <memory>

#include "eudiplo_sse/redis/redis_options.hpp"
#include "eudiplo_sse/redis/redis_url.hpp"
#include "eudiplo_sse/session_store.hpp"

namespace eudiplo_sse::redis {

class RedisSessionStore final : public SessionStore {
 public:
  // Starts connecting in the background; calls made before the connection is up
  // wait for it (within command_timeout).
  explicit RedisSessionStore(RedisUrl url, RedisOptions options = {});
  // Completes every outstanding call with error::store_unavailable, then stops.
  ~RedisSessionStore() override;
  RedisSessionStore(const RedisSessionStore&) = delete;
  RedisSessionStore& operator=(const RedisSessionStore&) = delete;

  std::error_code create(const Session& session) override;
  // The per-tenant count lives in Redis (a sorted set per tenant, counted and
  // added to in the script that creates), so every instance shares one cap.
  std::error_code create_capped(const Session& session, std::size_t max_live) override;
  std::optional<Session> get(std::string_view tenant, std::string_view id) override;
  TransitionResult transition(std::string_view tenant, std::string_view id, SessionStatus to,
                              TimePoint now) override;
  std::vector<Session> expire_due(TimePoint now) override;

  void async_create(const Session& session, CreateHandler handler) override;
  void async_create_capped(const Session& session, std::size_t max_live,
                           CreateHandler handler) override;
  void async_get(std::string_view tenant, std::string_view id, GetHandler handler) override;
  void async_transition(std::string_view tenant, std::string_view id, SessionStatus to,
                        TimePoint now, TransitionHandler handler) override;
  void async_expire_due(TimePoint now, ExpireHandler handler) override;

  // The channel its scripts publish changes on (RedisStatusBus subscribes to it).
  std::string change_channel() const;
  bool connected() const noexcept;
  // Connections made so far (1 after the first; more after reconnects).
  std::uint64_t connects() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eudiplo_sse::redis
