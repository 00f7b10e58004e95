#include "eudiplo_sse/events_route.hpp"

#include <atomic>
#include <charconv>
#include <future>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/sse_format.hpp"
#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "event_stream.hpp"
#include "stream_feed.hpp"

namespace eudiplo_sse {
namespace detail {

inline std::int64_t millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The open streams of one route, in shards so that opening and closing streams
// on many threads does not contend on one lock, and one timing wheel schedules
// every stream's keep-alive (no timer per stream).
class EventsRouteCore final : public StreamOwner {
 public:
  static constexpr std::size_t shard_count = 16;

  EventsRouteCore(std::int64_t heartbeat_ms, std::int64_t now_ms)
      : heartbeat_ms_(heartbeat_ms), wheel_(heartbeat_ms, now_ms), coarse_now_ms_(now_ms) {}

  ~EventsRouteCore() {
    // Streams still filed keep themselves alive through the route's reference
    // (RouteLinks::self); a route that goes away lets go of them.
    for (Shard& s : shards_) {
      std::vector<std::shared_ptr<EventStream>> left;
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        while (EventStream* stream = s.head) {
          RouteLinks& links = stream->route_links();
          s.head = links.next;
          left.push_back(std::move(links.self));
          links = RouteLinks{};
        }
      }
    }
  }

  void add(const std::shared_ptr<EventStream>& stream) {
    Shard& s = shard_for(stream.get());
    std::lock_guard<std::mutex> lock(s.mutex);
    RouteLinks& links = stream->route_links();
    links.self = stream;
    links.prev = nullptr;
    links.next = s.head;
    if (s.head) s.head->route_links().prev = stream.get();
    s.head = stream.get();
    ++s.count;
    note_expiry(stream->token_expires_at());
    open_.fetch_add(1, std::memory_order_relaxed);
    opened_.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t now_ms = coarse_now_ms();
    stream->set_last_write_ms(now_ms);
    if (heartbeat_ms_ > 0)
      wheel_.schedule(stream.get(), now_ms + heartbeat_ms_ - phase_ms(*stream));
  }

  void stream_finished(EventStream* stream) override {
    std::shared_ptr<EventStream> keep;  // destroyed after the lock is released
    Shard& s = shard_for(stream);
    std::lock_guard<std::mutex> lock(s.mutex);
    // Unfiled while the route still owns it: the wheel never holds a dangling pointer.
    wheel_.remove(stream);
    RouteLinks& links = stream->route_links();
    if (!links.self) return;
    if (links.prev) {
      links.prev->route_links().next = links.next;
    } else {
      s.head = links.next;
    }
    if (links.next) links.next->route_links().prev = links.prev;
    keep = std::move(links.self);
    links = RouteLinks{};
    --s.count;
    open_.fetch_sub(1, std::memory_order_relaxed);
  }

  void event_sent() override { events_sent_.fetch_add(1, std::memory_order_relaxed); }
  std::int64_t coarse_now_ms() const override {
    return coarse_now_ms_.load(std::memory_order_relaxed);
  }
  void set_coarse_now_ms(std::int64_t ms) { coarse_now_ms_.store(ms, std::memory_order_relaxed); }

  // Keep-alives for the streams whose slots came due since the last sweep, so a
  // tick writes to the streams of a few slots, not to all. A stream's keep-alive is
  // due one interval after the previous keep-alive, or earlier by the stream's
  // phase after any other write: streams opened, or sent an event, in the same
  // instant (a burst) thus spread their keep-alives over half an interval instead
  // of all coming due in one tick. Early is allowed; the contract bounds silence.
  void sweep_heartbeats(std::int64_t now_ms, const SharedBytes& keep_alive) {
    if (heartbeat_ms_ <= 0) return;
    std::vector<std::shared_ptr<EventStream>> due;
    const std::int64_t horizon = wheel_.take_due(now_ms, [&due](EventStream* stream) {
      if (auto p = stream->weak_from_this().lock()) {
        due.push_back(std::static_pointer_cast<EventStream>(std::move(p)));
      }
    });
    std::vector<std::pair<EventStream*, std::int64_t>> next;
    next.reserve(due.size());
    for (const auto& stream : due) {
      const std::int64_t last = stream->last_write_ms();
      std::int64_t at = last + heartbeat_ms_ - phase_ms(*stream);
      // `last` in the future: the clock went back; re-arm from now.
      if (at < horizon || last > now_ms) {
        stream->heartbeat(keep_alive, now_ms);
        at = now_ms + heartbeat_ms_;
      }
      next.emplace_back(stream.get(), at);
    }
    // A stream that ended meanwhile is retired and stays out of the wheel.
    wheel_.schedule_all(next.begin(), next.end());
  }

  // The earliest token expiry among open streams (an upper bound may be stale
  // only towards "too early", which costs one needless walk, never a late close).
  // It lets tick() skip walking tens of thousands of idle streams when no expiry
  // is due.
  void note_expiry(TimePoint t) {
    const std::int64_t ms = millis(t);
    std::int64_t cur = earliest_expiry_ms_.load(std::memory_order_relaxed);
    while (ms < cur && !earliest_expiry_ms_.compare_exchange_weak(cur, ms)) {
    }
  }
  bool expiry_due(TimePoint now) const {
    return millis(now) >= earliest_expiry_ms_.load(std::memory_order_relaxed);
  }
  // Starts a walk that will report every surviving stream's expiry again.
  void reset_expiry() {
    earliest_expiry_ms_.store(std::numeric_limits<std::int64_t>::max(), std::memory_order_relaxed);
  }
  // Calls `fn` on a snapshot of every open stream, outside the shard locks (a
  // stream ending inside `fn` unregisters itself, which takes the shard lock).
  template <typename Fn>
  void for_each(Fn&& fn) {
    std::vector<std::shared_ptr<EventStream>> batch;
    for (Shard& s : shards_) {
      batch.clear();
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        batch.reserve(s.count);
        for (EventStream* p = s.head; p != nullptr; p = p->route_links().next) {
          batch.push_back(p->route_links().self);
        }
      }
      for (auto& stream : batch) fn(*stream);
    }
  }

  SharedBytes preamble;  // `retry:`, the same bytes for every stream of the route
  std::atomic<std::uint64_t> unauthorized{0};
  std::atomic<std::uint64_t> forbidden{0};
  std::atomic<std::uint64_t> streams_refused{0};
  std::atomic<std::uint64_t> key_generation{0};  // the verifier's, at the last walk

  std::uint64_t open() const { return open_.load(std::memory_order_relaxed); }
  std::uint64_t opened() const { return opened_.load(std::memory_order_relaxed); }
  std::uint64_t events_sent() const { return events_sent_.load(std::memory_order_relaxed); }

 private:
  // The shard's open streams, linked through the streams themselves (no allocation
  // per stream).
  struct Shard {
    std::mutex mutex;
    EventStream* head = nullptr;
    std::size_t count = 0;
  };
  // A per-stream offset in [0, interval / 2), from the stream's address.
  std::int64_t phase_ms(const EventStream& stream) const {
    const std::uint64_t h =
        (static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&stream)) >> 4) *
        0x9E3779B97F4A7C15ull;
    return static_cast<std::int64_t>((h >> 40) % static_cast<std::uint64_t>(heartbeat_ms_ / 2 + 1));
  }
  Shard& shard_for(const EventStream* p) {
    return shards_[(reinterpret_cast<std::uintptr_t>(p) >> 6) % shard_count];
  }
  Shard shards_[shard_count];
  const std::int64_t heartbeat_ms_;
  HeartbeatWheel<EventStream> wheel_;
  std::atomic<std::int64_t> coarse_now_ms_;
  std::atomic<std::uint64_t> open_{0};
  std::atomic<std::uint64_t> opened_{0};
  std::atomic<std::uint64_t> events_sent_{0};
  std::atomic<std::int64_t> earliest_expiry_ms_{std::numeric_limits<std::int64_t>::max()};
};

}  // namespace detail

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i];
    char b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

EventsResponse refuse(int status, std::string_view message) {
  EventsResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  if (status == 401) r.headers.push_back({"WWW-Authenticate", std::string(www_authenticate_value)});
  r.body = error_body(status, message);
  return r;
}

EventsResponse refuse_token(std::error_code verify_error) {
  if (!verify_error) verify_error = error::token_missing;
  return refuse(verify_error == auth_failure::forbidden ? 403 : 401, verify_error.message());
}

std::string_view select_token(std::string_view authorization,
                              std::string_view query_token) noexcept {
  const std::string_view auth = trim(authorization);
  if (iequals_prefix(auth, "bearer ")) {
    const std::string_view token = trim(auth.substr(7));
    if (!token.empty()) return token;
  }
  return query_token;
}

EventsRoute::EventsRoute(const TokenVerifier& verifier, SessionService& sessions,
                         EventsRouteOptions options)
    : verifier_(verifier),
      sessions_(sessions),
      options_(options),
      core_(std::make_shared<detail::EventsRouteCore>(
          std::chrono::duration_cast<std::chrono::milliseconds>(options.heartbeat).count(),
          detail::millis(sessions.now()))) {
  core_->key_generation = verifier_.key_generation();
  std::string preamble;
  append_sse_retry(preamble, options_.retry);
  core_->preamble = make_shared_bytes(preamble);
}

EventsRoute::~EventsRoute() { close_all(); }

std::optional<EventsResponse> EventsRoute::refuse_request(const EventsRequest& request,
                                                          Principal& principal) const {
  const std::string_view token = select_token(request.authorization, request.query_token);
  const TimePoint now = sessions_.now();
  VerifyResult verified;
  if (token.empty()) {
    verified.error = error::token_missing;
  } else {
    verified = verifier_.verify(token, now);
  }
  // One rule for opening and ending: tick() ends a stream at expires_at, so a
  // token already there would open a stream only to end it at once (and make
  // EventSource reconnect every `retry` until the verifier agrees).
  if (!verified.error && verified.principal.expires_at != TimePoint{} &&
      verified.principal.expires_at <= now) {
    verified.error = make_error_code(error::token_expired);
  }
  // A token bound to one session opens no other (checked before the session
  // lookup, so it tells nothing about whether the other one exists).
  if (!verified.error && !verified.principal.session_id.empty() &&
      verified.principal.session_id != request.session_id) {
    verified.error = make_error_code(error::session_mismatch);
  }
  if (verified.error) {
    auto& counter =
        verified.error == auth_failure::forbidden ? core_->forbidden : core_->unauthorized;
    counter.fetch_add(1, std::memory_order_relaxed);
    return refuse_token(verified.error);
  }
  if (!is_valid_session_id(request.session_id)) {
    return refuse(400, make_error_code(error::invalid_session_id).message());
  }
  principal = std::move(verified.principal);
  return std::nullopt;
}

namespace {

// True when the client's Last-Event-ID names `session`'s terminal event.
bool has_final_event(std::string_view last_event_id, const Session& session) {
  if (last_event_id.empty() || !is_terminal(session.status)) return false;
  const std::string_view id = trim(last_event_id);
  std::uint64_t seen = 0;
  const auto res = std::from_chars(id.data(), id.data() + id.size(), seen);
  return res.ec == std::errc() && res.ptr == id.data() + id.size() && seen == session.version;
}

// What a verified request gets once the store has answered. Everything it needs
// is captured by value: the store may answer after the route is gone.
struct PendingCheck {
  Principal principal;
  std::string session_id;
  std::string last_event_id;
  std::chrono::seconds retry_after;
  std::shared_ptr<detail::StreamFeed> feed;
  // The session's followers when this one joined, and the cap (0: none): a stream
  // that joined beyond the cap is refused, even if others have left since (a
  // refusal too many, never a stream too many).
  std::size_t followers = 0;
  std::size_t max_followers = 0;
  std::chrono::seconds full_retry_after;
  std::weak_ptr<detail::EventsRouteCore> core;  // counts refusals, if still there
};

EventsResponse unavailable(std::chrono::seconds retry_after) {
  EventsResponse r = refuse(503, make_error_code(error::store_unavailable).message());
  r.headers.push_back({"Retry-After", std::to_string(retry_after.count())});
  return r;
}

// 429 for a stream that joined a session already followed by its cap of streams.
EventsResponse too_many_streams(const PendingCheck& pending) {
  if (auto core = pending.core.lock())
    core->streams_refused.fetch_add(1, std::memory_order_relaxed);
  EventsResponse r = refuse(429, make_error_code(error::too_many_streams).message());
  r.headers.push_back({"Retry-After", std::to_string(pending.full_retry_after.count())});
  return r;
}

}  // namespace

EventsResponse EventsRoute::check(const EventsRequest& request) const {
  // Inline with an in-memory store; a network store answers on its own thread
  // within its bounded wait (async_* run their handler exactly once).
  auto promise = std::make_shared<std::promise<EventsResponse>>();
  std::future<EventsResponse> answer = promise->get_future();
  async_check(request, [promise](EventsResponse r) { promise->set_value(std::move(r)); });
  return answer.get();
}

void EventsRoute::async_check(const EventsRequest& request, CheckHandler handler) const {
  Principal principal;
  if (auto refusal = refuse_request(request, principal)) return handler(std::move(*refusal));

  // Subscribe first, read second: a change committed after the read is then
  // delivered by the subscription, one committed before it is in the read.
  std::size_t followers = 0;
  auto feed = std::make_shared<detail::StreamFeed>(detail::EventStream::subscribe(
      detail::PublisherAccess::core(sessions_.publisher()), sessions_.bus(), principal.tenant,
      request.session_id, followers));

  const std::string tenant = principal.tenant;
  auto pending = std::make_shared<PendingCheck>(PendingCheck{
      std::move(principal), std::string(request.session_id), std::string(request.last_event_id),
      options_.unavailable_retry_after, std::move(feed), followers,
      options_.max_streams_per_session, options_.full_retry_after, core_});
  sessions_.async_get(
      tenant, request.session_id,
      [pending, handler = std::move(handler)](std::error_code ec, std::optional<Session> s) {
        if (ec) return handler(unavailable(pending->retry_after));
        if (!s) return handler(refuse(404, make_error_code(error::session_not_found).message()));
        if (has_final_event(pending->last_event_id, *s)) {
          // The client already has the final event: 204 tells EventSource to stop.
          EventsResponse r;
          r.status = 204;
          return handler(std::move(r));
        }
        if (pending->max_followers != 0 && pending->followers > pending->max_followers) {
          return handler(too_many_streams(*pending));
        }
        pending->feed->stream().offer(make_status_event(*s));
        EventsResponse r;
        r.status = 200;
        r.headers = {{"Content-Type", "text/event-stream"},
                     {"Cache-Control", "private, no-cache, no-store"},
                     {"X-Accel-Buffering", "no"}};
        r.principal_ = std::move(pending->principal);
        r.session_id_ = std::move(pending->session_id);
        r.feed_ = std::move(pending->feed);
        handler(std::move(r));
      });
}

void EventsRoute::open(EventsResponse&& response, std::shared_ptr<SseWriter> writer) {
  if (!response.is_stream() || !writer || !response.feed_) return;
  // A verifier that sets no expiry (the default TimePoint) means "never".
  const TimePoint token_expiry = response.principal_.expires_at == TimePoint{}
                                     ? TimePoint::max()
                                     : response.principal_.expires_at;
  const std::uint64_t key_ref = response.principal_.key_ref;
  // The stream subscribed in check; from here the route owns it (and the feed,
  // dropped with the response, lets go of it without ending it).
  std::shared_ptr<detail::EventStream> stream = response.feed_->take();
  response.feed_.reset();
  if (!stream) return;  // opened already (a copied response)
  stream->prepare(std::weak_ptr<detail::StreamOwner>(core_), token_expiry, key_ref);
  core_->add(stream);

  stream->open(std::move(writer), core_->preamble);
  // Its key may have been rotated out after check() and before tick()'s walk saw
  // this stream: the walk looks at registered streams only.
  if (!verifier_.key_present(key_ref)) stream->end();
}

void EventsRoute::tick() {
  const TimePoint now = sessions_.now();
  const std::int64_t now_ms = detail::millis(now);
  core_->set_coarse_now_ms(now_ms);
  static const SharedBytes keep_alive = [] {
    std::string s;
    append_sse_comment(s, "keep-alive");
    return make_shared_bytes(std::move(s));
  }();
  core_->sweep_heartbeats(now_ms, keep_alive);
  // A changed key set ends the streams whose key left it, as if their token expired.
  const std::uint64_t generation = verifier_.key_generation();
  std::uint64_t seen = core_->key_generation.load();
  const bool keys_changed =
      generation != seen && core_->key_generation.compare_exchange_strong(seen, generation);
  if (!keys_changed && !core_->expiry_due(now)) return;
  core_->reset_expiry();
  core_->for_each([&](detail::EventStream& stream) {
    if (stream.token_expires_at() <= now ||
        (keys_changed && !verifier_.key_present(stream.key_ref()))) {
      stream.end();
      return;
    }
    core_->note_expiry(stream.token_expires_at());
  });
}

void EventsRoute::close_all() {
  core_->for_each([](detail::EventStream& stream) { stream.end(); });
}

EventsRouteStats EventsRoute::stats() const {
  EventsRouteStats s;
  s.open_streams = core_->open();
  s.streams_opened = core_->opened();
  s.events_sent = core_->events_sent();
  s.unauthorized = core_->unauthorized.load(std::memory_order_relaxed);
  s.forbidden = core_->forbidden.load(std::memory_order_relaxed);
  s.streams_refused = core_->streams_refused.load(std::memory_order_relaxed);
  return s;
}

}  // namespace eudiplo_sse
