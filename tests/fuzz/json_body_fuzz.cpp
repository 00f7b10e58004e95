// Fuzz target: JSON from the network. Every input goes to
// - the core's strict JSON reader (src/jwt_json.cpp: iterative, depth-limited,
//   duplicate names and 0x00 refused), which reads every token header, claims set
//   and JWKS document;
// - JwtVerifier::add_jwks (a JWKS document fetched over the network);
// - when built with it, the example server's request-body reader
//   (examples/server/json_body.cpp: POST /session bodies), compiled in from its
//   source file unchanged.
// Invariants: no crash or leak; the core reader never accepts input holding 0x00
// or nested deeper than its limit, and accepts only objects.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eudiplo_sse/jwt_verifier.hpp"
#include "fuzz_input.hpp"
#include "jwt_json.hpp"
#ifdef EUDIPLO_SSE_FUZZ_JSON_BODY
#include "json_body.hpp"
#endif

namespace {

// The nesting depth of `text` counted over brackets outside strings: an upper
// bound on the document's depth, exact for valid JSON.
int bracket_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    if (c == '}' || c == ']') --depth;
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  eudiplo_sse::detail::JsonObject strict;
  constexpr int kMaxDepth = 8;
  if (strict.parse(text, kMaxDepth)) {
    FUZZ_CHECK(strict.root().IsObject());
    FUZZ_CHECK(text.find('\0') == std::string_view::npos);
    FUZZ_CHECK(bracket_depth(text) <= kMaxDepth);
  }

  eudiplo_sse::JwtVerifierOptions no_cache;  // keys only; spares a cache per input
  no_cache.cache_size = 0;
  eudiplo_sse::JwtVerifier verifier(no_cache);
  const auto ec = verifier.add_jwks(text);
  FUZZ_CHECK(static_cast<bool>(ec) == (verifier.key_count() == 0));

#ifdef EUDIPLO_SSE_FUZZ_JSON_BODY
  if (auto doc = eudiplo_sse::server::parse_json_object(text)) {
    FUZZ_CHECK(doc->IsObject());
    bool ok = true;
    (void)eudiplo_sse::server::string_member(*doc, "id", ok);
    (void)eudiplo_sse::server::string_member(*doc, "status", ok);
  }
  (void)eudiplo_sse::server::is_blank(text);
#endif
  return 0;
}
