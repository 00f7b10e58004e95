// The pure parts of the example server's HTTPS client (https_fetch.hpp): URL and
// response parsing, with their caps. The network path runs in e2e_key_rotation.
#include "https_fetch.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::HttpFetchResult;
using eudiplo_sse::server::HttpsUrl;
using eudiplo_sse::server::parse_http_response;
using eudiplo_sse::server::parse_https_url;

TEST_CASE("https URLs are split into host, port and target", "[https]") {
  HttpsUrl u;
  REQUIRE(parse_https_url("https://idp.example/realms/r/certs", u));
  CHECK(u.host == "idp.example");
  CHECK(u.port == "443");
  CHECK(u.target == "/realms/r/certs");
  REQUIRE(parse_https_url("HTTPS://127.0.0.1:8443", u));
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == "8443");
  CHECK(u.target == "/");
  REQUIRE(parse_https_url("https://[::1]:9/j?x=1", u));
  CHECK(u.host == "::1");
  CHECK(u.port == "9");
  CHECK(u.target == "/j?x=1");
  REQUIRE(parse_https_url("https://a?x", u));
  CHECK(u.target == "/?x");

  for (const char* bad : {"http://a/j", "https://", "https://:443/j", "https://a:0/j",
                          "https://a:65536/j", "https://a:x/j", "https://u:p@a/j", "https://a/j#f",
                          "https://a/j k", "https://a/j\r\nHost: b", "https://[::1/j", "ftp://a"}) {
    INFO(bad);
    CHECK_FALSE(parse_https_url(bad, u));
  }
}

TEST_CASE("HTTP responses: status, Cache-Control, body by length, chunked or to the end",
          "[https]") {
  HttpFetchResult r;
  REQUIRE(parse_http_response(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: public\r\n"
      "cache-control: max-age=60\r\nContent-Length: 4\r\n\r\n{}{}extra",
      1024, r));
  CHECK(r.status == 200);
  CHECK(r.cache_control == "public, max-age=60");
  CHECK(r.body == "{}{}");

  HttpFetchResult c;
  REQUIRE(
      parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n3;ext=1\r\n{\"k\r\nA\r\n\":[]}     \r\n0\r\n\r\n",
                          1024, c));
  CHECK(c.body == "{\"k\":[]}     ");

  HttpFetchResult e;
  REQUIRE(parse_http_response("HTTP/1.0 503 Service Unavailable\r\n\r\ndown", 1024, e));
  CHECK(e.status == 503);
  CHECK(e.body == "down");

  HttpFetchResult x;
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\n\r\n" + std::string(2000, 'x'), 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                                      std::string(2048, 'x') + "\r\n0\r\n\r\n",
                                  1024, x));  // a chunk over the cap
  CHECK_FALSE(
      parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nno header end", 1024, x));
  CHECK_FALSE(parse_http_response("SMTP 220 hello\r\n\r\n", 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 2x0 OK\r\n\r\n", 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nbad header line\r\n\r\n", 1024, x));
  CHECK_FALSE(parse_http_response("HTTP/1.1 200 OK\r\n" + std::string(20000, 'h') + ": v\r\n\r\n",
                                  1 << 20, x));  // headers over 16 KiB
}
