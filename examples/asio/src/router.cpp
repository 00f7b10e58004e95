#include "eudiplo_sse/asio/router.hpp"

#include "eudiplo_sse/http_target.hpp"

namespace eudiplo_sse::http {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  while (!path.empty()) {
    const auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_placeholder(const std::string& s) noexcept {
  return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}

bool is_unreserved_path_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

}  // namespace

bool normalize_base_path(std::string_view in, std::string& out) {
  for (const char c : in) {
    if (!is_unreserved_path_char(c)) return false;
  }
  out.clear();
  for (const auto& segment : split(in)) {
    if (segment == "." || segment == "..") return false;
    out.push_back('/');
    out.append(segment);
  }
  return true;
}

Router::Router(std::string_view base_path) : base_(split(base_path)) {}

void Router::add(std::string method, std::string_view pattern, RouteHandler handler) {
  routes_.push_back({std::move(method), split(pattern), std::move(handler)});
}

Router::Match Router::match(std::string_view method, std::string_view raw_path) const {
  // HEAD is GET without the body (RFC 9110 9.3.2); the connection drops the body.
  if (method == "HEAD") return match("GET", raw_path);
  Match m;
  auto decoded = decode_path(raw_path);
  if (!decoded) {
    m.kind = Match::Kind::bad_path;
    return m;
  }
  auto& segments = *decoded;
  // "/" decodes to one empty segment: the root, which no route here serves.
  if (segments.size() < base_.size()) return m;
  for (std::size_t i = 0; i < base_.size(); ++i) {
    if (segments[i] != base_[i]) return m;
  }
  const std::size_t offset = base_.size();
  for (const auto& route : routes_) {
    if (segments.size() - offset != route.segments.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < route.segments.size() && same; ++i) {
      const auto& want = route.segments[i];
      const auto& have = segments[offset + i];
      same = is_placeholder(want) ? !have.empty() : want == have;
    }
    if (!same) continue;
    if (route.method == method) {
      m.kind = Match::Kind::found;
      m.handler = &route.handler;
      m.params.clear();
      for (std::size_t i = 0; i < route.segments.size(); ++i) {
        if (is_placeholder(route.segments[i])) m.params.push_back(std::move(segments[offset + i]));
      }
      return m;
    }
    if (!m.allow.empty()) m.allow.append(", ");
    m.allow.append(route.method);
    if (route.method == "GET") m.allow.append(", HEAD");
    m.kind = Match::Kind::method_not_allowed;
  }
  return m;
}

}  // namespace eudiplo_sse::http
