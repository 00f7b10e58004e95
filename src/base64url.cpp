#include "eudiplo_sse/detail/base64url.hpp"

#include <array>
#include <cstdint>

namespace eudiplo_sse::detail {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;
  out.resize(base64url_decoded_size(text));
  return base64url_decode(text, reinterpret_cast<unsigned char*>(&out[0]));
}

bool base64url_decode(std::string_view text, unsigned char* dst) noexcept {
  const std::size_t rest = text.size() % 4;
  if (rest == 1) return false;
  const std::size_t full = text.size() - rest;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::uint8_t bad = 0;  // OR of every sextet: kInvalid sets the top bits; one test at the end
  for (std::size_t i = 0; i < full; i += 4, dst += 3) {
    const std::uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                       d = kDecode[in[i + 3]];
    bad |= a | b | c | d;
    const std::uint32_t v =
        (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
    dst[0] = static_cast<unsigned char>(v >> 16);
    dst[1] = static_cast<unsigned char>(v >> 8);
    dst[2] = static_cast<unsigned char>(v);
  }
  if (rest == 2) {
    const std::uint8_t a = kDecode[in[full]], b = kDecode[in[full + 1]];
    bad |= a | b;
    if ((b & 0x0f) != 0) return false;  // the 4 unused bits must be zero
    dst[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
  } else if (rest == 3) {
    const std::uint8_t a = kDecode[in[full]], b = kDecode[in[full + 1]], c = kDecode[in[full + 2]];
    bad |= a | b | c;
    if ((c & 0x03) != 0) return false;  // the 2 unused bits must be zero
    dst[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
    dst[1] = static_cast<unsigned char>((b << 4) | (c >> 2));
  }
  return (bad & 0xc0) == 0;
}

}  // namespace eudiplo_sse::detail
