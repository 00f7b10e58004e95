#include "eudiplo_sse/http_target.hpp"

namespace eudiplo_sse {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // A NUL, raw or encoded, has no business in a path or parameter and truncates
    // C strings later; refused raw too, since not every host's parser refuses it
    // in the request line first.
    if (c == '\0') return std::nullopt;
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) { return decode(text, false); }

std::optional<std::string> form_decode(std::string_view text) { return decode(text, true); }

std::optional<QueryParams> parse_query(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto piece = query.substr(0, amp);
    if (!piece.empty()) {
      const auto eq = piece.find('=');
      auto key = form_decode(piece.substr(0, eq));
      auto value =
          form_decode(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1));
      if (!key || !value) return std::nullopt;
      params.emplace_back(std::move(*key), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

const std::string* find_param(const QueryParams& params, std::string_view key) noexcept {
  for (const auto& p : params) {
    if (p.first == key) return &p.second;
  }
  return nullptr;
}

std::optional<std::vector<std::string>> decode_path(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
  std::vector<std::string> segments;
  raw_path.remove_prefix(1);
  for (;;) {
    const auto slash = raw_path.find('/');
    auto segment = percent_decode(raw_path.substr(0, slash));
    if (!segment) return std::nullopt;
    segments.push_back(std::move(*segment));
    if (slash == std::string_view::npos) break;
    raw_path.remove_prefix(slash + 1);
  }
  return segments;
}

EventsTarget parse_events_target(std::string_view target) {
  EventsTarget out;
  const auto question = target.find('?');
  const auto raw_path = target.substr(0, question);
  // Match on the raw segments first: only this route's requests are decoded here.
  if (raw_path.rfind("/session/", 0) != 0) return out;
  const auto rest = raw_path.substr(9);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || rest.substr(slash) != "/events") return out;
  out.matched = true;
  auto id = percent_decode(rest.substr(0, slash));
  const auto params = parse_query(question == std::string_view::npos ? std::string_view{}
                                                                     : target.substr(question + 1));
  if (!id || !params) {
    out.malformed = true;
    return out;
  }
  out.session_id = std::move(*id);
  if (const std::string* token = find_param(*params, "token")) out.query_token = *token;
  return out;
}

}  // namespace eudiplo_sse
