#include "eudiplo_sse/asio/access_log.hpp"

#include <cstdio>

#include "eudiplo_sse/asio/line_writer.hpp"

namespace eudiplo_sse::http {
namespace {

// Decodes every valid %XX and '+', keeps anything else as is, and lowercases:
// how a key is judged never depends on whether it decodes (a key that fails to
// decode strictly, like "tok%65n%zz", is still read as holding "token").
std::string lenient_decode_lower(std::string_view raw) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
      c = static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
      i += 2;
    } else if (c == '+') {
      c = ' ';
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

bool holds_token(const std::string& decoded) { return decoded.find("token") != std::string::npos; }

// One query piece as it may be logged.
void append_redacted_piece(std::string& out, std::string_view piece) {
  const auto eq = piece.find('=');
  if (eq == std::string_view::npos) {
    // No literal '=': a flag ("tokenless", logged as is) or a key that encodes
    // its own '=' ("token%3D<jwt>"), which a lenient query parser could split
    // there; anything that decodes to hold '=' is dropped whole.
    const auto decoded = lenient_decode_lower(piece);
    if (decoded.find('=') != std::string::npos) {
      out.append("REDACTED");
    } else {
      out.append(piece);
    }
    return;
  }
  const auto key = lenient_decode_lower(piece.substr(0, eq));
  if (key.find('=') != std::string::npos) {
    out.append("REDACTED");  // the key itself may carry a token after its encoded '='
  } else if (holds_token(key)) {
    out.append(piece.substr(0, eq + 1));
    out.append("REDACTED");
  } else {
    out.append(piece);
  }
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
    append_redacted_piece(out, piece);
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
