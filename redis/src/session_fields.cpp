#include "session_fields.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse::redis::detail {
namespace {

template <typename T>
bool to_number(const RedisReply& r, T& out) {
  const std::string text = r.text();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

bool to_time(const RedisReply& r, TimePoint& out) {
  std::int64_t ms = 0;
  if (!to_number(r, ms)) return false;
  out = TimePoint(std::chrono::milliseconds(ms));
  return true;
}

}  // namespace

std::optional<Session> session_from_fields(const std::vector<RedisReply>& f, std::size_t at) {
  if (f.size() < at + 7) return std::nullopt;
  Session s;
  s.tenant = f[at].text();
  s.id = f[at + 1].text();
  const auto status = parse_session_status(f[at + 2].text());
  if (s.tenant.empty() || !is_valid_session_id(s.id) || !status ||
      !to_number(f[at + 3], s.version) || !to_time(f[at + 4], s.created_at) ||
      !to_time(f[at + 5], s.updated_at) || !to_time(f[at + 6], s.expires_at)) {
    return std::nullopt;
  }
  s.status = *status;
  return s;
}

TransitionResult transition_from_reply(std::error_code ec, const RedisReply& r) {
  TransitionResult result;
  if (ec) {
    result.error = ec;
    return result;
  }
  const auto& e = r.elements;
  if (r.type != RedisReply::Type::array || e.empty() || e[0].type != RedisReply::Type::integer) {
    result.error = error::store_unavailable;
    return result;
  }
  if (e[0].integer == 0) {
    result.error = error::session_not_found;
    return result;
  }
  auto s = e.size() == 10 ? session_from_fields(e, 3) : std::nullopt;
  if (!s) {
    result.error = error::store_unavailable;
    return result;
  }
  result.session = std::move(*s);
  result.changed = e[2].integer == 1;
  const std::string code = e[1].text();
  if (code == "terminal") result.error = error::session_terminal;
  if (code == "invalid") result.error = error::invalid_transition;
  return result;
}

}  // namespace eudiplo_sse::redis::detail
