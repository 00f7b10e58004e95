#include "qr_svg.hpp"

#include <regex>

#include "catch.hpp"

using namespace eudiplo_sse::server;

// That the code decodes to its text is checked end to end: the demo page test
// screenshots it in Chromium and decodes it with jsQR.

TEST_CASE("qr_svg: a square SVG with a quiet zone, the text as its title", "[qr]") {
  const auto svg = qr_svg(demo_wallet_url("a-session"));
  REQUIRE(svg);
  CHECK(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg->find("<title>eudiplo-demo-wallet://session/a-session</title>") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(*svg, m, std::regex("viewBox=\"0 0 (\\d+) (\\d+)\"")));
  CHECK(m[1] == m[2]);
  // Version 2 (25 modules) holds 26 bytes at level M; these 39 need version 3 (29).
  CHECK(std::stoi(m[1]) == 29 + 8);
  // The top-left finder pattern: a dark 7-module run starting at the quiet zone.
  CHECK(svg->find("M4 4h7v1h-7z") != std::string::npos);
}

TEST_CASE("qr_svg: markup in the text is escaped", "[qr]") {
  const auto svg = qr_svg("<script>&\"");
  REQUIRE(svg);
  CHECK(svg->find("<script>") == std::string::npos);
  CHECK(svg->find("<title>&lt;script&gt;&amp;&quot;</title>") != std::string::npos);
}

TEST_CASE("qr_svg: what cannot be encoded is nullopt", "[qr]") {
  CHECK_FALSE(qr_svg(std::string(8000, 'x')));  // beyond version 40
  CHECK_FALSE(qr_svg(std::string("a\0b", 3)));
  CHECK(demo_wallet_url("x") == "eudiplo-demo-wallet://session/x");
}
