// Fuzz target: the Asio adapter's HTTP/1.x request parser
// (examples/asio/src/http_parser.cpp, compiled in from its source file).
//
// Input: a byte choosing small or default limits and a split step, then the raw
// bytes of a connection. Invariants: feeding the bytes in pieces gives exactly the
// same requests and the same error as feeding them at once; an error status is one
// of 400, 413, 414, 431, 501, 505; a complete request has a method, a target
// starting with '/' (or '*' for OPTIONS), its body within the limit, and under
// HTTP/1.1 exactly one Host field; buffered() never exceeds what was fed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/asio/http_parser.hpp"
#include "fuzz_input.hpp"

namespace {

using eudiplo_sse::http::HttpLimits;
using eudiplo_sse::http::HttpParser;
using eudiplo_sse::http::HttpRequest;

struct Outcome {
  std::vector<std::string> requests;  // method, target, body, joined
  int error = 0;
};

void check_request(const HttpRequest& r, const HttpLimits& limits) {
  FUZZ_CHECK(!r.method.empty());
  FUZZ_CHECK(!r.target.empty() && (r.target.front() == '/' || r.target == "*"));
  FUZZ_CHECK(r.body.size() <= limits.body);
  FUZZ_CHECK(r.fields.size() <= limits.field_count);
  std::size_t hosts = 0;
  for (const auto& f : r.fields) hosts += eudiplo_sse::http::iequals(f.name, "Host") ? 1 : 0;
  FUZZ_CHECK(hosts <= 1);
  if (r.version_minor >= 1) FUZZ_CHECK(hosts == 1);
}

Outcome run(std::string_view bytes, std::size_t step, const HttpLimits& limits) {
  Outcome out;
  HttpParser parser(limits);
  std::size_t fed = 0;
  while (fed < bytes.size() && out.error == 0) {
    const std::size_t n = std::min(step, bytes.size() - fed);
    auto result = parser.feed(bytes.substr(fed, n));
    fed += n;
    FUZZ_CHECK(parser.buffered() <= fed);
    while (result == HttpParser::Result::complete) {
      const HttpRequest r = parser.take_request();
      check_request(r, limits);
      out.requests.push_back(r.method + ' ' + r.target + '\n' + r.body);
      result = parser.parse();
    }
    if (result == HttpParser::Result::error) {
      out.error = parser.error_status();
      const int e = out.error;
      FUZZ_CHECK(e == 400 || e == 413 || e == 414 || e == 431 || e == 501 || e == 505);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eudiplo_sse::fuzz::FuzzInput in(data, size);
  const std::uint8_t flags = in.byte();
  HttpLimits limits;
  if (flags & 1) {
    limits.request_line = 64;
    limits.header_section = 256;
    limits.body = 32;
    limits.field_count = 4;
  }
  const std::size_t step = 1 + (flags >> 1) % 16;
  const std::string_view bytes = in.rest();
  const Outcome whole = run(bytes, bytes.size() + 1, limits);
  const Outcome split = run(bytes, step, limits);
  FUZZ_CHECK(whole.error == split.error);
  FUZZ_CHECK(whole.requests == split.requests);
  return 0;
}
