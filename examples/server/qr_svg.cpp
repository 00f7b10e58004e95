#include "qr_svg.hpp"

#include <memory>

#include <qrencode.h>

namespace eudiplo_sse::server {
namespace {

constexpr int quiet_zone = 4;  // modules of light border (ISO/IEC 18004 asks for 4)

struct QrFree {
  void operator()(QRcode* code) const noexcept { QRcode_free(code); }
};

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
}

// One path of horizontal runs of dark modules: a few KB for a typical code, and no
// seams between neighbouring squares when a browser scales it.
std::string dark_modules_path(const QRcode& code) {
  std::string d;
  const int w = code.width;
  for (int y = 0; y < w; ++y) {
    int x = 0;
    while (x < w) {
      if (!(code.data[y * w + x] & 1)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < w && (code.data[y * w + x] & 1)) ++x;
      d += 'M' + std::to_string(start + quiet_zone) + ' ' + std::to_string(y + quiet_zone) + 'h' +
           std::to_string(x - start) + "v1h-" + std::to_string(x - start) + 'z';
    }
  }
  return d;
}

}  // namespace

std::optional<std::string> qr_svg(std::string_view text) {
  // libqrencode wants a NUL-terminated string; an embedded NUL would cut it short.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string input(text);
  std::unique_ptr<QRcode, QrFree> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return std::nullopt;
  const std::string size = std::to_string(code->width + 2 * quiet_zone);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + ' ' + size +
                    "\" width=\"" + size + "\" height=\"" + size +
                    "\" shape-rendering=\"crispEdges\"><title>";
  append_escaped(svg, text);
  svg += "</title><rect width=\"" + size + "\" height=\"" + size + "\" fill=\"#fff\"/><path d=\"" +
         dark_modules_path(*code) + "\" fill=\"#000\"/></svg>\n";
  return svg;
}

std::string demo_wallet_url(std::string_view session_id) {
  return "eudiplo-demo-wallet://session/" + std::string(session_id);
}

}  // namespace eudiplo_sse::server
