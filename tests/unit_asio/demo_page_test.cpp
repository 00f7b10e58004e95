#include "demo_page.hpp"

#include "catch.hpp"
#include "fake_exchange.hpp"
#include "web_assets.hpp"

using namespace eudiplo_sse;
using namespace eudiplo_sse::server;
using eudiplo_sse::test::FakeExchange;
using eudiplo_sse::test::make_request;

namespace {

std::string field(const http::HttpResponse& r, std::string_view name) {
  for (const auto& f : r.fields) {
    if (http::iequals(f.name, name)) return f.value;
  }
  return {};
}

// Whether `page` answers `method target` as the page (true) or leaves it to the router.
bool serves(const DemoPage& page, std::string method, std::string target) {
  FakeExchange ex(make_request(std::move(method), std::move(target)));
  const bool served = page.serve_root(ex);
  CHECK(served == ex.has_response());
  if (served) CHECK(ex.response().status == 200);
  return served;
}

}  // namespace

TEST_CASE("demo page: every file of examples/web is in the binary", "[demo]") {
  for (const auto* name :
       {"index.html", "demo.js", "demo.css", "session-status.js", "favicon.svg"}) {
    const auto* asset = find_web_asset(name);
    REQUIRE(asset);
    CHECK_FALSE(asset->body.empty());
  }
  CHECK(find_web_asset("session-status.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(find_web_asset("session-status.js")->body.find("export function watchSessionStatus") !=
        std::string_view::npos);
  CHECK(find_web_asset("missing.js") == nullptr);
}

TEST_CASE("demo page: served at the root, with the base path filled in", "[demo]") {
  const DemoPage plain("");
  CHECK(serves(plain, "GET", "/"));
  CHECK(serves(plain, "HEAD", "/"));
  CHECK(serves(plain, "GET", "/?x=1"));
  CHECK_FALSE(serves(plain, "POST", "/"));
  CHECK_FALSE(serves(plain, "GET", "/healthz"));
  CHECK_FALSE(serves(plain, "GET", ""));
  const auto html = plain.page().body;
  CHECK(html.find("src=\"/demo/demo.js\"") != std::string::npos);
  CHECK(html.find("{{BASE_PATH}}") == std::string::npos);

  const DemoPage api("/api/v1");
  CHECK(serves(api, "GET", "/api/v1/"));
  CHECK(serves(api, "GET", "/api/v1"));
  CHECK_FALSE(serves(api, "GET", "/"));
  CHECK_FALSE(serves(api, "GET", "/api"));
  CHECK_FALSE(serves(api, "GET", "/api/v1/x"));
  const auto api_html = api.page().body;
  CHECK(api_html.find("content=\"/api/v1\"") != std::string::npos);
  CHECK(api_html.find("src=\"/api/v1/demo/demo.js\"") != std::string::npos);
  CHECK(api_html.find("{{BASE_PATH}}") == std::string::npos);
}

TEST_CASE("demo page: no inline script and no other origin", "[demo]") {
  const DemoPage page("");
  const auto r = page.page();
  CHECK(field(r, "Content-Type") == "text/html; charset=utf-8");
  const auto csp = field(r, "Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("connect-src 'self'") != std::string::npos);
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(field(r, "X-Content-Type-Options") == "nosniff");
  // Every <script> of the page loads a file; none carries code.
  const auto& html = r.body;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) {
    const auto end = html.find("</script>", at);
    REQUIRE(end != std::string::npos);
    const auto open_end = html.find('>', at);
    CHECK(html.substr(at, open_end - at).find("src=") != std::string::npos);
    CHECK(open_end + 1 == end);
  }
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
}

TEST_CASE("demo page: files under /demo/, the page itself only at the root", "[demo]") {
  const DemoPage page("");
  const auto js = page.asset("session-status.js");
  CHECK(js.status == 200);
  CHECK(field(js, "Content-Type") == "text/javascript; charset=utf-8");
  CHECK_FALSE(field(js, "Content-Security-Policy").empty());
  CHECK(page.asset("nope.js").status == 404);
  CHECK(page.asset("index.html").status == 404);
  CHECK(page.asset("..").status == 404);

  http::Router router("");
  page.mount(router);
  const auto m = router.match("GET", "/demo/demo.css");
  REQUIRE(m.kind == http::Router::Match::Kind::found);
  FakeExchange ex(make_request("GET", "/demo/demo.css"));
  (*m.handler)(ex, m.params);
  CHECK(ex.response().status == 200);
  CHECK(field(ex.response(), "Content-Type") == "text/css; charset=utf-8");
}
