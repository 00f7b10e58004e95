#include "eudiplo_sse/http.hpp"

#include "catch.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/events_route.hpp"

using namespace eudiplo_sse;

TEST_CASE("format_response_head writes status, headers and the stream framing", "[http]") {
  CHECK(format_response_head(200, {{"Content-Type", "text/event-stream"}}) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  CHECK(format_response_head(404, {}, false) ==
        "HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
}

TEST_CASE("auth_failure splits token errors into 401 and 403", "[http][auth]") {
  for (auto e : {error::tenant_missing, error::role_missing}) {
    CHECK(make_error_code(e) == auth_failure::forbidden);
    CHECK_FALSE(make_error_code(e) == auth_failure::unauthenticated);
  }
  for (auto e : {error::token_missing, error::token_expired, error::signature_invalid,
                 error::issuer_mismatch}) {
    CHECK(make_error_code(e) == auth_failure::unauthenticated);
    CHECK_FALSE(make_error_code(e) == auth_failure::forbidden);
  }
  // A host verifier's own codes are refused as not authenticated; no error is neither.
  CHECK(std::make_error_code(std::errc::permission_denied) == auth_failure::unauthenticated);
  CHECK_FALSE(std::error_code() == auth_failure::unauthenticated);
  CHECK_FALSE(std::error_code() == auth_failure::forbidden);
}

TEST_CASE("refuse_token is the one 401/403 answer", "[http][auth]") {
  const EventsResponse unauthenticated = refuse_token(make_error_code(error::token_expired));
  CHECK(unauthenticated.status == 401);
  bool challenge = false;
  for (const auto& h : unauthenticated.headers) {
    if (h.name == "WWW-Authenticate") challenge = h.value == www_authenticate_value;
  }
  CHECK(challenge);
  CHECK(unauthenticated.body.find("token expired") != std::string::npos);

  const EventsResponse forbidden = refuse_token(make_error_code(error::role_missing));
  CHECK(forbidden.status == 403);
  for (const auto& h : forbidden.headers) CHECK(h.name != "WWW-Authenticate");
}
