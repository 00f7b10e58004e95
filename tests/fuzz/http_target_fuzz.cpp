// Fuzz target: percent-decoding (include/eudiplo_sse/http_target.hpp) and the
// access log's redaction of tokens in request targets
// (examples/asio/src/access_log.cpp, compiled in from its source file).
//
// Input: a raw path and a raw query separated by 0x1F. Invariants: a decoded
// segment, component or parameter never holds 0x00, and text holding a raw 0x00
// never decodes at all (not every host refuses it before decoding);
// percent_decode of a segment without '%' is the segment itself; and, piece by piece, the logged
// target keeps every piece in place, logs a parameter whose key decodes to hold "token" as its raw
// key and
// "=REDACTED" (never its value), and a key or bare piece that decodes to hold '='
// as "REDACTED".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/asio/access_log.hpp"
#include "eudiplo_sse/http_target.hpp"
#include "fuzz_input.hpp"

namespace {

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

void check_path(std::string_view raw_path) {
  const auto segments = eudiplo_sse::decode_path(raw_path);
  if (has_nul(raw_path)) FUZZ_CHECK(!segments);
  if (!segments) return;
  for (const auto& s : *segments) FUZZ_CHECK(!has_nul(s));
  if (raw_path.find('%') == std::string_view::npos && !raw_path.empty() &&
      raw_path.find('/') == std::string_view::npos) {
    const auto same = eudiplo_sse::percent_decode(raw_path);
    FUZZ_CHECK(same && *same == raw_path);
  }
}

std::vector<std::string_view> pieces(std::string_view text) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto amp = text.find('&');
    out.push_back(text.substr(0, amp));
    if (amp == std::string_view::npos) return out;
    text.remove_prefix(amp + 1);
  }
}

bool decodes_to_hold(std::string_view raw, std::string_view what) {
  const auto decoded = eudiplo_sse::form_decode(raw);
  return decoded && decoded->find(what) != std::string::npos;
}

void check_query(std::string_view query) {
  const std::string logged = eudiplo_sse::http::redact_target("/e?" + std::string(query));
  FUZZ_CHECK(logged.rfind("/e?", 0) == 0);
  // Redaction keeps the pieces in place: the i-th logged piece stands for the i-th
  // piece of the query, so each is checked on its own.
  const auto in = pieces(query);
  const auto out = pieces(std::string_view(logged).substr(3));
  FUZZ_CHECK(in.size() == out.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto eq = in[i].find('=');
    if (eq == std::string_view::npos) {
      // A bare piece that decodes to hold '=' (token%3D<jwt>) is dropped whole.
      if (decodes_to_hold(in[i], "=")) FUZZ_CHECK(out[i] == "REDACTED");
      continue;
    }
    const auto key = in[i].substr(0, eq);
    if (decodes_to_hold(key, "=")) {
      FUZZ_CHECK(out[i] == "REDACTED");
    } else if (decodes_to_hold(key, "token")) {
      FUZZ_CHECK(out[i] == std::string(key) + "=REDACTED");  // the value never logged
    }
  }
  const auto params = eudiplo_sse::parse_query(query);
  if (has_nul(query)) FUZZ_CHECK(!params);
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
  // A raw 0x00 passes through as itself (the request parser refuses it in a
  // target before any decoding); only a decoded one (%00) must never appear.
  if (component && !has_nul(query)) FUZZ_CHECK(!has_nul(*component));
  check_query(query);
  return 0;
}
