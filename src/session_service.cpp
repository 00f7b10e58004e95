#include "eudiplo_sse/session_service.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/status_event.hpp"

namespace eudiplo_sse {

SessionService::SessionService(SessionStore& store, StatusPublisher& publisher, ClockFn clock)
    : store_(store),
      publisher_(publisher),
      clock_(clock ? std::move(clock) : ClockFn(system_now)) {}

CreateResult SessionService::create(std::string_view tenant, std::chrono::seconds ttl,
                                    std::string_view id) {
  CreateResult result;
  Session& s = result.session;
  s.id = id.empty() ? random_uuid() : std::string(id);
  s.tenant = std::string(tenant);
  s.status = SessionStatus::active;
  s.version = 1;
  // Milliseconds are what the JSON shows; keep the stored instants equal to it.
  s.created_at = std::chrono::time_point_cast<std::chrono::milliseconds>(clock_());
  s.updated_at = s.created_at;
  s.expires_at = s.created_at + ttl;
  result.error = store_.create(s);
  return result;
}

std::optional<Session> SessionService::get(std::string_view tenant, std::string_view id) {
  return store_.get(tenant, id);
}

TransitionResult SessionService::set_status(std::string_view tenant, std::string_view id,
                                            SessionStatus to) {
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(clock_());
  TransitionResult result = store_.transition(tenant, id, to, now);
  if (result.changed) publisher_.publish(make_status_event(result.session));
  return result;
}

std::size_t SessionService::expire_due() {
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(clock_());
  const std::vector<Session> expired = store_.expire_due(now);
  for (const Session& s : expired) publisher_.publish(make_status_event(s));
  return expired.size();
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
