// Fuzz target: SSE framing (src/sse_format.cpp, src/status_event.cpp) read back by
// the independent WHATWG parser of the unit tests.
//
// Input: a flags byte, then id, event type and comment text separated by 0x1F, then
// the data. Invariants: an id or event type holding CR, LF or NUL is refused with
// nothing written, anything else parses back to exactly one event with the same
// type, id and data (line breaks as LF), the retry value and the comment lines
// come back, and nothing is left pending at the end. A status event built from a
// session with the fuzzed id parses back to its own JSON and version.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/sse_format.hpp"
#include "eudiplo_sse/status_event.hpp"
#include "event_stream_parser.hpp"
#include "fuzz_input.hpp"

namespace {

using eudiplo_sse::test::EventStreamParser;

bool has_line_break_or_nul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// What a client reads back from text split into lines: CRLF and CR become LF.
std::string as_lines(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += lines[i];
  }
  return out;
}

void check_status_event(std::string_view id, std::uint8_t flags) {
  eudiplo_sse::Session s;
  s.id = std::string(id);
  s.tenant = "t";
  s.status = static_cast<eudiplo_sse::SessionStatus>(flags % 4);
  s.version = 1 + flags;
  const auto event = eudiplo_sse::make_status_event(s);
  const auto parsed = EventStreamParser::parse(event->sse);
  FUZZ_CHECK(!parsed.has_pending());
  FUZZ_CHECK(parsed.events().size() == 1);
  FUZZ_CHECK(parsed.events()[0].data == event->json());
  FUZZ_CHECK(parsed.events()[0].last_event_id == std::to_string(s.version));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eudiplo_sse::fuzz::FuzzInput input(data, size);
  const std::uint8_t flags = input.byte();
  const std::string_view id = input.field();
  const std::string_view type = input.field();
  const std::string_view comment = input.field();
  const std::string_view payload = input.rest();

  std::string out;
  const std::chrono::milliseconds retry(flags * 131);
  if (flags & 1) eudiplo_sse::append_sse_retry(out, retry);
  if (flags & 2) eudiplo_sse::append_sse_comment(out, comment);
  const std::size_t before = out.size();
  const auto ec = eudiplo_sse::append_sse_event(out, {id, type, payload});
  FUZZ_CHECK(static_cast<bool>(ec) == (has_line_break_or_nul(id) || has_line_break_or_nul(type)));
  FUZZ_CHECK(!ec || (ec == eudiplo_sse::error::invalid_field && out.size() == before));

  const auto parsed = EventStreamParser::parse(out);
  FUZZ_CHECK(!parsed.has_pending());
  if (flags & 1) FUZZ_CHECK(parsed.retry() == static_cast<std::uint64_t>(retry.count()));
  if (flags & 2) FUZZ_CHECK(joined(parsed.comments()) == as_lines(comment));
  if (ec) {
    FUZZ_CHECK(parsed.events().empty());
  } else {
    FUZZ_CHECK(parsed.events().size() == 1);
    const auto& event = parsed.events()[0];
    FUZZ_CHECK(event.type == (type.empty() ? std::string_view("message") : type));
    FUZZ_CHECK(event.data == as_lines(payload));
    FUZZ_CHECK(event.last_event_id == id);
  }
  if (flags & 4) check_status_event(id, flags);
  return 0;
}
