// Checks the load generator's two incremental parsers on every way of splitting their input
// across reads, since a wrong parser would make every benchmark figure wrong.
#include <cstdio>
#include <string>
#include <vector>

#include "http_response_parser.hpp"
#include "sse_parser.hpp"

using namespace eudiplo_sse::bench;

namespace {

struct Events : SseParser::Handler {
  std::vector<std::string> events;
  int comments = 0;
  std::uint64_t retry = 0;
  void on_sse_event(std::string_view type, std::string_view data, std::string_view id) override {
    events.push_back(std::string(type) + "|" + std::string(data) + "|" + std::string(id));
  }
  void on_sse_comment(std::string_view) override { ++comments; }
  void on_sse_retry(std::uint64_t ms) override { retry = ms; }
};

struct Body : HttpResponseParser::Handler {
  std::string body;
  int completions = 0;
  void on_http_head(const HttpResponseParser&) override {}
  void on_http_body(const char* data, std::size_t size) override { body.append(data, size); }
  void on_http_complete() override { ++completions; }
};

int failures = 0;
void check(bool ok, const char* what, std::size_t a, std::size_t b) {
  if (ok) return;
  ++failures;
  std::printf("FAILED: %s (split at %zu, %zu)\n", what, a, b);
}

void event_stream_splits() {
  // BOM, CRLF / CR / LF line ends, a data field without colon, a comment, retry, event type.
  const std::string s =
      "\xEF\xBB\xBFretry: 3000\r\n\r\nid: 1\r\ndata: a\r\ndata:b\r\n\r\n: keep-alive\r"
      "event: x\rdata\r\r\nid: 2\ndata: c\n\n";
  for (std::size_t i = 0; i <= s.size(); ++i) {
    for (std::size_t j = i; j <= s.size(); ++j) {
      SseParser p;
      Events h;
      p.feed(s.data(), i, h);
      p.feed(s.data() + i, j - i, h);
      p.feed(s.data() + j, s.size() - j, h);
      const bool ok = h.events.size() == 3 && h.events[0] == "|a\nb|1" && h.events[1] == "x||1" &&
                      h.events[2] == "|c|2" && h.comments == 1 && h.retry == 3000 && p.saw_bom();
      check(ok, "event stream", i, j);
    }
  }
}

void chunked_splits() {
  const std::string r =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
      "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n";
  for (std::size_t i = 0; i <= r.size(); ++i) {
    HttpResponseParser p;
    Body b;
    std::size_t used = p.feed(r.data(), i, b);
    used += p.feed(r.data() + i, r.size() - i, b);
    check(b.body == "helloabcdefghijklmnopqrstuvwxyz" && b.completions == 1 && used == r.size() &&
              !p.failed() && p.header("content-type") == "text/event-stream",
          "chunked response", i, 0);
  }
}

void content_length_stops_at_the_end() {
  const std::string r = "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nabcdHTTP/1.1";
  HttpResponseParser p;
  Body b;
  const std::size_t used = p.feed(r.data(), r.size(), b);
  check(used == r.size() - 8 && b.body == "abcd" && p.complete() && p.status() == 201 &&
            p.keep_alive(),
        "content-length response", 0, 0);
}

void until_close() {
  const std::string r = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nretry: 1\n\n";
  HttpResponseParser p;
  Body b;
  p.feed(r.data(), r.size(), b);
  check(!p.complete() && p.framing() == HttpResponseParser::Framing::until_close, "until close", 0,
        0);
  check(p.finish(b) && b.completions == 1 && b.body == "retry: 1\n\n", "until close end", 0, 0);
}

}  // namespace

int main() {
  event_stream_splits();
  chunked_splits();
  content_length_stops_at_the_end();
  until_close();
  std::printf("%s\n", failures == 0 ? "parser tests passed" : "parser tests FAILED");
  return failures == 0 ? 0 : 1;
}
