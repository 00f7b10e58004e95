// base64url without padding (RFC 4648 section 5, as JWS uses it, RFC 7515 section 2).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eudiplo_sse::detail {

std::string base64url_encode(std::string_view bytes);

// Strict decoding: only [A-Za-z0-9_-], no '=' padding, no whitespace, no length
// that leaves a lone 6-bit group, and the unused low bits of the last character
// must be zero. The last rule makes every byte string have exactly one valid
// encoding, so a token cannot be altered without changing its decoded bytes.
// Returns false (and leaves `out` unspecified) on any violation.
bool base64url_decode(std::string_view text, std::string& out);

// The decoded size of `text` if it is well-formed (what the above would produce).
constexpr std::size_t base64url_decoded_size(std::string_view text) noexcept {
  return text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1);
}

// The same into `out`, which must hold base64url_decoded_size(text) bytes (no
// allocation: the verifier decodes a token into one buffer on its stack).
bool base64url_decode(std::string_view text, unsigned char* out) noexcept;

}  // namespace eudiplo_sse::detail
