#include "eudiplo_sse/asio/http_parser.hpp"

#include <string>

#include "catch.hpp"

using eudiplo_sse::http::HttpLimits;
using eudiplo_sse::http::HttpParser;
using Result = HttpParser::Result;

namespace {

// Feeds `text` in one piece and expects an error; returns its status.
int error_of(const std::string& text, HttpLimits limits = {}) {
  HttpParser p(limits);
  const auto r = p.feed(text);
  REQUIRE(r == Result::error);
  return p.error_status();
}

}  // namespace

TEST_CASE("a simple GET is parsed with its fields and no body", "[parser]") {
  HttpParser p;
  REQUIRE(
      p.feed("GET /session/abc/events?token=x HTTP/1.1\r\nHost: a\r\nLast-Event-ID:  7 \r\n\r\n") ==
      Result::complete);
  const auto r = p.take_request();
  CHECK(r.method == "GET");
  CHECK(r.target == "/session/abc/events?token=x");
  CHECK(r.raw_path() == "/session/abc/events");
  CHECK(r.raw_query() == "token=x");
  CHECK(r.version_minor == 1);
  CHECK(r.field("last-event-id") == "7");
  CHECK(r.field("HOST") == "a");
  CHECK(r.body.empty());
  CHECK(r.keep_alive);
}

TEST_CASE("a request arriving one byte at a time is the same request", "[parser]") {
  const std::string text =
      "POST /session HTTP/1.1\r\nHost: h\r\nContent-Length: 16\r\nContent-Type: "
      "application/json\r\n\r\n"
      "{\"ttlSeconds\":5}";
  HttpParser p;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    REQUIRE(p.feed(text.substr(i, 1)) == Result::need_more);
  }
  REQUIRE(p.feed(text.substr(text.size() - 1)) == Result::complete);
  const auto r = p.take_request();
  CHECK(r.method == "POST");
  CHECK(r.body == "{\"ttlSeconds\":5}");
}

TEST_CASE("keep-alive follows the version and the Connection field", "[parser]") {
  auto keep = [](const std::string& text) {
    HttpParser p;
    REQUIRE(p.feed(text) == Result::complete);
    return p.take_request().keep_alive;
  };
  CHECK(keep("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  CHECK(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n"));
}

TEST_CASE("pipelined requests come out one after the other", "[parser]") {
  HttpParser p;
  REQUIRE(p.feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c") ==
          Result::complete);
  CHECK(p.take_request().target == "/a");
  REQUIRE(p.parse() == Result::complete);
  CHECK(p.take_request().target == "/b");
  REQUIRE(p.parse() == Result::need_more);
  REQUIRE(p.feed(" HTTP/1.1\r\nHost: h\r\n\r\n") == Result::complete);
  CHECK(p.take_request().target == "/c");
  CHECK(p.buffered() == 0);
}

TEST_CASE("chunked bodies are decoded, well-formed chunk extensions ignored", "[parser]") {
  HttpParser p;
  REQUIRE(p.feed("PATCH /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5;ext=1\r\nhello\r\n6 ; a ; b = \"q\\\"s;\"\r\n world\r\n0;last\r\n\r\n") ==
          Result::complete);
  CHECK(p.take_request().body == "hello world");
}

TEST_CASE("malformed chunk extensions and any trailer field are refused", "[parser]") {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* line : {"5;\r\n", "5;=x\r\n", "5;a=\r\n", "5;a=\"open\r\n", "5;a b\r\n",
                           "5 x\r\n", " 5\r\n", "5 \r\n", "5;a=b c\r\n", "5;a=\"\x01\"\r\n"}) {
    CAPTURE(line);
    CHECK(error_of(head + line + "hello\r\n0\r\n\r\n") == 400);
  }
  CHECK(error_of(head + "5\r\nhello\r\n0\r\nX-Trailer: y\r\n\r\n") == 400);
}

TEST_CASE("Host: required once in HTTP/1.1, at most once in HTTP/1.0 (RFC 9112 3.2)", "[parser]") {
  CHECK(error_of("GET / HTTP/1.1\r\nA: b\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") == 400);
  HttpParser ten;
  CHECK(ten.feed("GET / HTTP/1.0\r\n\r\n") == Result::complete);
  HttpParser eleven;
  CHECK(eleven.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == Result::complete);
}

TEST_CASE("bare LF line endings are accepted, leading empty lines skipped", "[parser]") {
  HttpParser p;
  REQUIRE(p.feed("\r\nGET /x HTTP/1.1\nHost: h\nA: b\n\n") == Result::complete);
  const auto r = p.take_request();
  CHECK(r.target == "/x");
  CHECK(r.field("a") == "b");
}

TEST_CASE("absolute-form targets keep only path and query", "[parser]") {
  HttpParser p;
  REQUIRE(p.feed("GET http://h:1/healthz?x=1 HTTP/1.1\r\nHost: h\r\n\r\n") == Result::complete);
  CHECK(p.take_request().target == "/healthz?x=1");
}

TEST_CASE("limits answer 414, 431 and 413", "[parser]") {
  HttpLimits small;
  small.request_line = 64;
  small.header_section = 128;
  small.body = 32;
  CHECK(error_of("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", small) == 414);
  // Without a line end yet: refused as soon as the limit is passed.
  CHECK(error_of("GET /" + std::string(100, 'a'), small) == 414);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(200, 'b') + "\r\n\r\n", small) ==
        431);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(200, 'b'), small) == 431);
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 30; ++i) many += "A: b\r\n";
  CHECK(error_of(many + "\r\n", small) == 431);
  HttpLimits few;
  few.field_count = 5;
  std::string six = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 6; ++i) six += "A: b\r\n";
  CHECK(error_of(six + "\r\n", few) == 431);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 33\r\n\r\n", small) == 413);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n21\r\n", small) ==
        413);
  // Exactly at the limits is fine.
  HttpParser ok(small);
  CHECK(ok.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 32\r\n\r\n" +
                std::string(32, 'x')) == Result::complete);
}

TEST_CASE("the default limits are the contract's 8/32/64 KiB", "[parser]") {
  CHECK(error_of("GET /" + std::string(8 * 1024, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n") == 414);
  HttpParser p;
  CHECK(p.feed("GET /" + std::string(8 * 1024 - 15, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n") ==
        Result::complete);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(33 * 1024, 'b') + "\r\n\r\n") ==
        431);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n") == 413);
}

TEST_CASE("malformed requests are 400, unsupported ones 501 and 505", "[parser]") {
  CHECK(error_of("garbage\r\n\r\n") == 400);
  CHECK(error_of(std::string("\x00\x01\x02 / HTTP/1.1\r\nHost: h\r\n\r\n", 18)) == 400);
  CHECK(error_of("GET /\r\n\r\n") == 400);
  CHECK(error_of("GET  / HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1 \r\n\r\n") == 400);
  CHECK(error_of("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(error_of("GET /\x80 HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(error_of("GET relative HTTP/1.1\r\nHost: h\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTQ/1.1\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/2.0\r\n\r\n") == 505);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nA: x\r\n folded\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\nHost: h\r\nA: x\ry\r\n\r\n") == 400);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n") == 400);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") ==
        400);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                 "chunked\r\n\r\n") == 400);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") == 501);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == 400);
  CHECK(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n") ==
        400);
}

TEST_CASE("a failed parser stays failed", "[parser]") {
  HttpParser p;
  REQUIRE(p.feed("nonsense\r\n") == Result::error);
  CHECK(p.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n") == Result::error);
  CHECK(p.error_status() == 400);
}

TEST_CASE("Expect: 100-continue is reported until the body starts", "[parser]") {
  HttpParser p;
  REQUIRE(
      p.feed("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n") ==
      Result::need_more);
  CHECK(p.expects_continue());
  p.continue_sent();
  CHECK_FALSE(p.expects_continue());
  REQUIRE(p.feed("ok") == Result::complete);
  CHECK(p.take_request().body == "ok");

  HttpParser q;  // body already there: no interim answer needed
  REQUIRE(
      q.feed("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok") ==
      Result::complete);
  CHECK_FALSE(q.expects_continue());
}
