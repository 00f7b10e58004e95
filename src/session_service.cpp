#include "eudiplo_sse/session_service.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <utility>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/status_bus.hpp"
#include "eudiplo_sse/status_event.hpp"

namespace eudiplo_sse {

SessionService::SessionService(SessionStore& store, StatusPublisher& publisher, ClockFn clock)
    : store_(store),
      publisher_(publisher),
      clock_(clock ? std::move(clock) : ClockFn(system_now)) {}

SessionService::SessionService(SessionStore& store, StatusPublisher& publisher, StatusBus& bus,
                               ClockFn clock)
    : SessionService(store, publisher, std::move(clock)) {
  bus_ = &bus;
}

TimePoint SessionService::now_ms() const {
  // Milliseconds are what the JSON shows; keep the stored instants equal to it.
  return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_());
}

void SessionService::announce(const Session& s) {
  if (bus_ != nullptr) {
    bus_->publish(make_status_event(s));
  } else {
    publisher_.publish(make_status_event(s));
  }
}

Session SessionService::new_session(std::string_view tenant, std::chrono::seconds ttl,
                                    std::string_view id) const {
  Session s;
  s.id = id.empty() ? random_uuid() : std::string(id);
  s.tenant = std::string(tenant);
  s.status = SessionStatus::active;
  s.version = 1;
  s.created_at = now_ms();
  s.updated_at = s.created_at;
  s.expires_at = s.created_at + ttl;
  return s;
}

CreateResult SessionService::create(std::string_view tenant, std::chrono::seconds ttl,
                                    std::string_view id) {
  CreateResult result;
  result.session = new_session(tenant, ttl, id);
  result.error = store_.create_capped(result.session, max_per_tenant_);
  if (result.error == error::tenant_session_limit) {
    tenant_cap_refusals_.fetch_add(1, std::memory_order_relaxed);
  }
  return result;
}

void SessionService::async_create(std::string_view tenant, std::chrono::seconds ttl,
                                  std::string_view id, CreateCompletion handler) {
  Session session = new_session(tenant, ttl, id);
  // The handler may run inline or later on the store's thread: it owns a copy.
  // Like the other completions, this one relies on the service outliving the store's calls.
  store_.async_create_capped(session, max_per_tenant_,
                             [this, session, handler = std::move(handler)](std::error_code ec) {
                               if (ec == error::tenant_session_limit) {
                                 tenant_cap_refusals_.fetch_add(1, std::memory_order_relaxed);
                               }
                               handler(CreateResult{ec, session});
                             });
}

std::optional<Session> SessionService::get(std::string_view tenant, std::string_view id) {
  return store_.get(tenant, id);
}

void SessionService::async_get(std::string_view tenant, std::string_view id, GetHandler handler) {
  store_.async_get(tenant, id, std::move(handler));
}

TransitionResult SessionService::set_status(std::string_view tenant, std::string_view id,
                                            SessionStatus to) {
  TransitionResult result = store_.transition(tenant, id, to, now_ms());
  if (result.changed) announce(result.session);
  return result;
}

void SessionService::async_set_status(std::string_view tenant, std::string_view id,
                                      SessionStatus to, TransitionHandler handler) {
  store_.async_transition(tenant, id, to, now_ms(),
                          [this, handler = std::move(handler)](TransitionResult result) {
                            if (result.changed) announce(result.session);
                            handler(std::move(result));
                          });
}

std::size_t SessionService::expire_due() {
  const std::vector<Session> expired = store_.expire_due(now_ms());
  for (const Session& s : expired) announce(s);
  return expired.size();
}

void SessionService::async_expire_due(ExpireCompletion handler) {
  store_.async_expire_due(now_ms(), [this, handler = std::move(handler)](
                                        std::error_code ec, std::vector<Session> expired) {
    for (const Session& s : expired) announce(s);
    handler(ec, expired.size());
  });
}

std::string random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace eudiplo_sse
