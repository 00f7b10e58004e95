// QR codes as SVG, encoded by libqrencode (a dependency of this example server only,
// never of the library): the demo page shows one per session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eudiplo_sse::server {

// An SVG document of the QR code of `text` (error correction level M, 8-bit mode,
// the smallest version that fits, a quiet zone of 4 modules), with `text` as its
// <title>. std::nullopt when libqrencode cannot encode it (too long, out of memory).
std::optional<std::string> qr_svg(std::string_view text);

// What the demo page's QR code holds for a session: a URL of a made-up scheme that
// stands for the offer or request a real issuer or verifier would put there. The
// page's buttons play the wallet; nothing opens this URL.
std::string demo_wallet_url(std::string_view session_id);

}  // namespace eudiplo_sse::server
