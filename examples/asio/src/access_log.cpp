#include "eudiplo_sse/asio/access_log.hpp"

#include <cstdio>

#include "eudiplo_sse/asio/line_writer.hpp"
#include "eudiplo_sse/http_target.hpp"

namespace eudiplo_sse::http {
namespace {

bool names_a_token(std::string_view raw_key) {
  // Decode leniently: a key that fails to decode is judged by its raw text.
  std::string key;
  if (auto decoded = form_decode(raw_key)) {
    key = std::move(*decoded);
  } else {
    key.assign(raw_key.data(), raw_key.size());
  }
  for (auto& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key.find("token") != std::string::npos;
}

}  // namespace

std::string redact_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view query = target.substr(q + 1);
  bool first = true;
  for (;;) {
    const auto amp = query.find('&');
    const auto piece = query.substr(0, amp);
    if (!first) out.push_back('&');
    first = false;
    const auto eq = piece.find('=');
    if (eq != std::string_view::npos && names_a_token(piece.substr(0, eq))) {
      out.append(piece.substr(0, eq + 1));
      out.append("REDACTED");
    } else {
      out.append(piece);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string format_access_log(const AccessLogEntry& e) {
  std::string line;
  line.reserve(96 + e.target.size());
  line.append(e.remote.empty() ? std::string_view("-") : e.remote);
  line.append(" \"");
  line.append(e.method.empty() ? std::string_view("-") : e.method);
  line.push_back(' ');
  line.append(e.target.empty() ? std::string("-") : redact_target(e.target));
  line.append("\" ");
  line.append(std::to_string(e.status));
  char ms[32];
  const int n =
      std::snprintf(ms, sizeof ms, " %.3fms", static_cast<double>(e.duration.count()) / 1000.0);
  if (n > 0) line.append(ms, static_cast<std::size_t>(n));
  if (e.stream) line.append(" stream");
  return line;
}

AccessLogSink stderr_access_log() {
  return [](const AccessLogEntry& e) { stderr_lines().write(format_access_log(e)); };
}

}  // namespace eudiplo_sse::http
