// A small HTTPS GET client for key sources (JWKS, OpenID Connect discovery) on the
// server's io_context: Asio + OpenSSL, nothing else.
//
// The server certificate is verified against the system trust store, or only
// against `ca_file` when one is given, and must name the URL's host (DNS name or
// IP address). One request per connection (Connection: close); the answer is
// capped in size (headers 16 KiB, body max_body) and the whole exchange in time.
// Plain http:// is refused: keys fetched without TLS could be anyone's.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>
#include <asio/ssl/context.hpp>

#include "eudiplo_sse/jwks_url_source.hpp"

namespace eudiplo_sse::server {

struct HttpsUrl {
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" unless given
  std::string target;  // path and query, "/" at least
};

// https://host[:port][/path][?query]; no user info, no fragment.
bool parse_https_url(std::string_view url, HttpsUrl& out);

struct HttpsFetchOptions {
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds timeout{10000};
  std::size_t max_body = 1 << 20;
};

// Parses one HTTP/1.x response (status line, headers, body by Content-Length,
// chunked, or up to the end). False when it is not a complete, well-formed one.
bool parse_http_response(std::string_view raw, std::size_t max_body, HttpFetchResult& out);

class HttpsFetcher {
 public:
  // nullptr and `error` set when the TLS context cannot be made (unreadable CA file).
  static std::shared_ptr<HttpsFetcher> create(asio::io_context& io, HttpsFetchOptions options,
                                              std::string& message);

  // Starts a GET; `done` runs once, on an io_context thread.
  void get(const std::string& url, HttpFetchDone done);

  HttpsFetcher(asio::io_context& io, HttpsFetchOptions options,
               std::shared_ptr<asio::ssl::context> tls);

 private:
  asio::io_context& io_;
  HttpsFetchOptions options_;
  std::shared_ptr<asio::ssl::context> tls_;
};

// The fetch function for JwksUrlSource; keeps the fetcher alive.
HttpFetch make_https_fetch(std::shared_ptr<HttpsFetcher> fetcher);

// Runs one GET to completion on a private io_context (for start-up, before the
// server's threads run).
HttpFetchResult fetch_blocking(const std::string& url, const HttpsFetchOptions& options,
                               std::string& message);

}  // namespace eudiplo_sse::server
