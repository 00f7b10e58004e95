// Fuzz target: percent-decoding (include/eudiplo_sse/http_target.hpp) and the
// access log's redaction of tokens in request targets
// (examples/asio/src/access_log.cpp, compiled in from its source file).
//
// Input: a raw path and a raw query separated by 0x1F. Invariants: a decoded
// segment, component or parameter never holds 0x00; percent_decode of text
// without '%' is the text itself; decode_path fails exactly when some segment
// fails percent_decode; parse_query agrees with form_decode piece by piece; and
// whatever the query, the logged target never holds the value of a parameter
// whose decoded key contains "token" (8 bytes or longer, so that a short value
// cannot show up by chance in other text), nor a key or bare piece that decodes
// to hold '='.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eudiplo_sse/asio/access_log.hpp"
#include "eudiplo_sse/http_target.hpp"
#include "fuzz_input.hpp"

namespace {

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

void check_path(std::string_view raw_path) {
  const auto segments = eudiplo_sse::decode_path(raw_path);
  if (!segments) return;
  for (const auto& s : *segments) FUZZ_CHECK(!has_nul(s));
  if (raw_path.find('%') == std::string_view::npos && !raw_path.empty() &&
      raw_path.find('/') == std::string_view::npos) {
    const auto same = eudiplo_sse::percent_decode(raw_path);
    FUZZ_CHECK(same && *same == raw_path);
  }
}

void check_query(std::string_view query) {
  const auto params = eudiplo_sse::parse_query(query);
  const std::string logged = eudiplo_sse::http::redact_target("/e?" + std::string(query));
  FUZZ_CHECK(logged.rfind("/e?", 0) == 0);
  // Piece by piece, as the access log sees them.
  std::string_view rest = query;
  for (;;) {
    const auto amp = rest.find('&');
    const std::string_view piece = rest.substr(0, amp);
    const auto eq = piece.find('=');
    if (eq == std::string_view::npos) {
      // No literal '=': one that decodes to hold '=' (a key encoding its own '=',
      // as in token%3D<jwt>) must not reach the log.
      const auto decoded = eudiplo_sse::form_decode(piece);
      if (decoded && decoded->find('=') != std::string::npos && piece.size() >= 8 &&
          query.find(piece) == query.rfind(piece)) {
        FUZZ_CHECK(logged.find(piece) == std::string::npos);
      }
    } else {
      const auto key = eudiplo_sse::form_decode(piece.substr(0, eq));
      const auto value = piece.substr(eq + 1);
      if (key && key->find("token") != std::string::npos && value.size() >= 8 &&
          value.find("REDACTED") == std::string_view::npos) {
        // Unless the query holds the same text elsewhere, it must not be logged.
        if (query.find(value) == query.rfind(value)) {
          FUZZ_CHECK(logged.find(value) == std::string::npos);
        }
      }
      if (key && key->find('=') != std::string::npos && piece.size() >= 8 &&
          query.find(piece) == query.rfind(piece)) {
        FUZZ_CHECK(logged.find(piece) == std::string::npos);
      }
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  if (!params) return;
  for (const auto& [k, v] : *params) {
    FUZZ_CHECK(!has_nul(k));
    FUZZ_CHECK(!has_nul(v));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eudiplo_sse::fuzz::FuzzInput in(data, size);
  const std::string_view raw_path = in.field();
  const std::string_view query = in.rest();
  check_path(raw_path);
  const auto component = eudiplo_sse::form_decode(query);
  if (component) FUZZ_CHECK(!has_nul(*component));
  check_query(query);
  return 0;
}
