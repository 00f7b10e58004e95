// GET /metrics access (examples/server/metrics_endpoint.hpp): the scrape token.
#include "metrics_endpoint.hpp"

#include "catch.hpp"

using namespace eudiplo_sse;

namespace {

http::HttpRequest with_authorization(std::string value) {
  http::HttpRequest r;
  r.method = "GET";
  r.target = "/metrics";
  r.fields.push_back({"Authorization", std::move(value)});
  return r;
}

}  // namespace

TEST_CASE("without a scrape token /metrics is open", "[metrics]") {
  CHECK(server::metrics_scrape_allowed(http::HttpRequest{}, ""));
}

TEST_CASE("with a scrape token only that bearer token reads /metrics", "[metrics]") {
  const std::string token = "scrape-0123456789abcdef";
  CHECK(server::metrics_scrape_allowed(with_authorization("Bearer " + token), token));
  CHECK(server::metrics_scrape_allowed(with_authorization("bearer " + token), token));
  CHECK_FALSE(server::metrics_scrape_allowed(http::HttpRequest{}, token));
  CHECK_FALSE(server::metrics_scrape_allowed(with_authorization(token), token));
  CHECK_FALSE(server::metrics_scrape_allowed(with_authorization("Bearer " + token + "x"), token));
  CHECK_FALSE(
      server::metrics_scrape_allowed(with_authorization("Bearer scrape-0123456789abcdeX"), token));
  CHECK_FALSE(server::metrics_scrape_allowed(with_authorization("Basic " + token), token));
}
