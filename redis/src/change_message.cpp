#include "change_message.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>

#include "eudiplo_sse/session.hpp"
#include "eudiplo_sse/session_status.hpp"

namespace eudiplo_sse::redis::detail {
namespace {

std::string_view next_field(std::string_view& rest) {
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) {
    std::string_view all = rest;
    rest = {};
    return all;
  }
  std::string_view field = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return field;
}

template <typename T>
bool to_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string format_change(const StatusEvent& e) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(e.updated_at.time_since_epoch())
          .count();
  std::string out = std::to_string(e.version);
  out.push_back(' ');
  out.append(to_string(e.status));
  out.push_back(' ');
  out.append(std::to_string(ms));
  out.push_back(' ');
  out.append(e.session_id);
  out.push_back(' ');
  out.append(e.tenant);
  return out;
}

StatusEventPtr parse_change(std::string_view message) {
  std::string_view rest = message;
  const std::string_view version = next_field(rest);
  const std::string_view status = next_field(rest);
  const std::string_view updated = next_field(rest);
  const std::string_view id = next_field(rest);
  Session s;
  std::int64_t ms = 0;
  const auto parsed_status = parse_session_status(status);
  if (!to_number(version, s.version) || s.version == 0 || !parsed_status ||
      !to_number(updated, ms) || !is_valid_session_id(id) || rest.empty()) {
    return nullptr;
  }
  s.status = *parsed_status;
  s.updated_at = TimePoint(std::chrono::milliseconds(ms));
  s.id = std::string(id);
  s.tenant = std::string(rest);
  return make_status_event(s);
}

}  // namespace eudiplo_sse::redis::detail
