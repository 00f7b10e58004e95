// The live demo page (GET / and GET /demo/{file}, under --base-path too): sign in,
// create a session, watch it change through EventSource, play the wallet.
//
// Every file comes from the binary (web_assets.hpp). The page loads nothing from
// any other origin and runs no inline script: its Content-Security-Policy says so,
// and the browser enforces it.
#pragma once

#include <string>
#include <string_view>

#include "eudiplo_sse/asio/http_exchange.hpp"
#include "eudiplo_sse/asio/router.hpp"

namespace eudiplo_sse::server {

// The policy sent with the page and its files.
inline constexpr std::string_view demo_content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class DemoPage {
 public:
  // `base_path` as normalized by the option parser: "" or "/a[/b]".
  explicit DemoPage(std::string base_path);

  // Adds GET /demo/{file}; this object must outlive `router`.
  void mount(http::Router& router) const;

  // Answers GET/HEAD of the page itself ("/" or the base path with or without a
  // trailing '/', which the router cannot express) and returns true; false for
  // any other request, which then goes to the router.
  bool serve_root(http::HttpExchange& exchange) const;

  http::HttpResponse page() const;
  // 200 with the file, or 404.
  http::HttpResponse asset(std::string_view name) const;

 private:
  std::string base_path_;
  std::string html_;  // index.html with the base path filled in
};

}  // namespace eudiplo_sse::server
