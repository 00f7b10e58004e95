#include "eudiplo_sse/sse_format.hpp"

#include <system_error>

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse {
namespace {

// Plain loops rather than find_first_of: libstdc++ implements that as one memchr
// per input byte, which was most of the cost of formatting an event.
bool is_safe_field_value(std::string_view v) noexcept {
  for (const char c : v) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::size_t find_line_break(std::string_view text, std::size_t from) noexcept {
  for (std::size_t i = from; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') return i;
  }
  return std::string_view::npos;
}

// Writes `prefix` + each line of `text`, splitting at LF, CR and CRLF, each
// line ended with LF. An empty text still gives one (empty) line.
void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
  std::size_t start = 0;
  while (true) {
    const std::size_t brk = find_line_break(text, start);
    out.append(prefix);
    if (brk == std::string_view::npos) {
      out.append(text.substr(start));
      out.push_back('\n');
      return;
    }
    out.append(text.substr(start, brk - start));
    out.push_back('\n');
    start = brk + 1;
    if (text[brk] == '\r' && start < text.size() && text[start] == '\n') ++start;
  }
}

}  // namespace

std::error_code append_sse_event(std::string& out, const SseEvent& event) {
  if (!is_safe_field_value(event.id) || !is_safe_field_value(event.event)) {
    return error::invalid_field;
  }
  out.reserve(out.size() + event.id.size() + event.event.size() + event.data.size() + 24);
  if (!event.id.empty()) {
    out.append("id: ").append(event.id).push_back('\n');
  }
  if (!event.event.empty()) {
    out.append("event: ").append(event.event).push_back('\n');
  }
  append_lines(out, "data: ", event.data);
  out.push_back('\n');
  return {};
}

void append_sse_retry(std::string& out, std::chrono::milliseconds retry) {
  const auto ms = retry.count() < 0 ? 0 : retry.count();
  out.append("retry: ").append(std::to_string(ms)).append("\n\n");
}

void append_sse_comment(std::string& out, std::string_view text) {
  append_lines(out, ": ", text);
  out.push_back('\n');
}

std::string format_sse_event(const SseEvent& event) {
  std::string out;
  if (auto ec = append_sse_event(out, event)) throw std::system_error(ec);
  return out;
}

}  // namespace eudiplo_sse
