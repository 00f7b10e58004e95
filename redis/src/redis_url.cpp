#include "eudiplo_sse/redis/redis_url.hpp"

#include <charconv>
#include <utility>

#include "eudiplo_sse/redis/redis_error.hpp"

namespace eudiplo_sse::redis {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

template <typename T>
bool parse_number(std::string_view text, T& out, T max) {
  if (text.empty() || text.size() > 9 || text.front() < '0' || text.front() > '9') return false;
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return false;
  out = value;
  return true;
}

// host[:port] or [v6]:port
bool parse_host_port(std::string_view hp, RedisUrl& out) {
  std::string_view port;
  if (!hp.empty() && hp.front() == '[') {
    const auto close = hp.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    out.host = std::string(hp.substr(1, close - 1));
    const std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    const auto colon = hp.find(':');
    out.host = std::string(hp.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = hp.substr(colon + 1);
      if (port.empty()) return false;
    }
  }
  if (out.host.empty()) return false;
  for (char c : out.host) {
    if (c == '/' || c == '@' || c == ' ' || c == '?' || c == '#') return false;
  }
  std::uint32_t p = out.port;
  if (!port.empty() && (!parse_number<std::uint32_t>(port, p, 65535) || p == 0)) return false;
  out.port = static_cast<std::uint16_t>(p);
  return true;
}

bool parse_userinfo(std::string_view info, RedisUrl& out) {
  const auto colon = info.find(':');
  if (colon == std::string_view::npos) {
    // redis://password@host is common shorthand (as redis-cli accepts it).
    return percent_decode(info, out.password);
  }
  return percent_decode(info.substr(0, colon), out.username) &&
         percent_decode(info.substr(colon + 1), out.password);
}

}  // namespace

std::error_code parse_redis_url(std::string_view url, RedisUrl& out) {
  RedisUrl result;
  std::string_view rest;
  if (url.substr(0, 8) == "redis://") {
    rest = url.substr(8);
  } else if (url.substr(0, 9) == "rediss://") {
    rest = url.substr(9);
    result.tls = true;
  } else {
    return errc::url_scheme_unsupported;
  }
  if (rest.find_first_of("?#") != std::string_view::npos) return errc::url_invalid;
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos && !parse_userinfo(authority.substr(0, at), result)) {
    return errc::url_invalid;
  }
  const std::string_view hp = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (!parse_host_port(hp, result)) return errc::url_invalid;
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_number<int>(db, result.db, 1 << 20)) return errc::url_invalid;
  }
  // Checked last, so a malformed rediss:// URL still says what is wrong with it.
  if (result.tls && !redis_tls_available()) return errc::tls_unavailable;
  result.tls_options = std::move(out.tls_options);
  out = std::move(result);
  return {};
}

}  // namespace eudiplo_sse::redis
