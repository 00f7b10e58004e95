#include "eudiplo_sse/asio/access_log.hpp"

#include "catch.hpp"

using namespace eudiplo_sse::http;

TEST_CASE("token values are redacted in the logged target", "[log]") {
  CHECK(redact_target("/s/x/events?token=eyJhbGc.eyJzdWIi.sig") == "/s/x/events?token=REDACTED");
  CHECK(redact_target("/s?a=1&token=abc&b=2") == "/s?a=1&token=REDACTED&b=2");
  CHECK(redact_target("/s?access_token=abc&TOKEN=def") ==
        "/s?access_token=REDACTED&TOKEN=REDACTED");
  // An encoded name is still a token parameter.
  CHECK(redact_target("/s?%74oken=abc") == "/s?%74oken=REDACTED");
  CHECK(redact_target("/s?tokenless") == "/s?tokenless");
  CHECK(redact_target("/healthz") == "/healthz");
}

TEST_CASE("a log line holds remote, method, redacted target, status and duration", "[log]") {
  AccessLogEntry e;
  e.remote = "127.0.0.1:4000";
  e.method = "GET";
  e.target = "/x?token=secret";
  e.status = 200;
  e.duration = std::chrono::microseconds(1500);
  e.stream = true;
  const auto line = format_access_log(e);
  CHECK(line == "127.0.0.1:4000 \"GET /x?token=REDACTED\" 200 1.500ms stream");
  CHECK(line.find("secret") == std::string::npos);
  AccessLogEntry bad;
  bad.status = 400;
  CHECK(format_access_log(bad) == "- \"- -\" 400 0.000ms");
}
