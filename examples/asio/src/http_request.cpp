#include "eudiplo_sse/asio/http_request.hpp"

namespace eudiplo_sse::http {
namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool has_token(std::string_view list, std::string_view token) noexcept {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = trim(list.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view HttpRequest::field(std::string_view name) const noexcept {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

bool HttpRequest::has_field(std::string_view name) const noexcept {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return true;
  }
  return false;
}

std::string_view HttpRequest::raw_path() const noexcept {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::raw_query() const noexcept {
  std::string_view t = target;
  const auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

}  // namespace eudiplo_sse::http
