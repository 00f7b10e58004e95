// The demo page's files (examples/web/), embedded in the binary at build time by
// embed_web_assets.cmake, so the one executable serves the whole demo.
#pragma once

#include <string_view>

namespace eudiplo_sse::server {

struct WebAsset {
  std::string_view name;          // file name, e.g. "session-status.js"
  std::string_view content_type;  // from the extension
  std::string_view body;
};

// The asset called `name`, or nullptr.
const WebAsset* find_web_asset(std::string_view name) noexcept;

}  // namespace eudiplo_sse::server
