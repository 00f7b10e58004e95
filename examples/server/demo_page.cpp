#include "demo_page.hpp"

#include "web_assets.hpp"

namespace eudiplo_sse::server {
namespace {

constexpr std::string_view base_path_marker = "{{BASE_PATH}}";

http::HttpResponse with_page_headers(http::HttpResponse r) {
  r.set("Content-Security-Policy", std::string(demo_content_security_policy));
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "no-referrer");
  // Small and built into the binary: revalidating costs little and a rebuilt server
  // is never shown with a stale script.
  r.set("Cache-Control", "no-cache");
  return r;
}

}  // namespace

DemoPage::DemoPage(std::string base_path) : base_path_(std::move(base_path)) {
  if (const auto* index = find_web_asset("index.html")) html_ = std::string(index->body);
  // The base path holds only unreserved URL characters (normalize_base_path), so it
  // goes into the HTML attributes as is.
  for (auto at = html_.find(base_path_marker); at != std::string::npos;
       at = html_.find(base_path_marker, at + base_path_.size())) {
    html_.replace(at, base_path_marker.size(), base_path_);
  }
}

void DemoPage::mount(http::Router& router) const {
  router.add("GET", "/demo/{file}", [this](http::HttpExchange& ex, const http::RouteParams& p) {
    ex.respond(asset(p.at(0)));
  });
}

bool DemoPage::serve_root(http::HttpExchange& exchange) const {
  const auto& request = exchange.request();
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string_view path = request.raw_path();
  const bool root = path == base_path_ + "/" || (!base_path_.empty() && path == base_path_);
  if (!root) return false;
  exchange.respond(page());
  return true;
}

http::HttpResponse DemoPage::page() const {
  if (html_.empty()) return http::HttpResponse::error(500, "the demo page is not built in");
  http::HttpResponse r;
  r.set("Content-Type", "text/html; charset=utf-8");
  r.body = html_;
  return with_page_headers(std::move(r));
}

http::HttpResponse DemoPage::asset(std::string_view name) const {
  const auto* file = find_web_asset(name);
  if (!file || name == "index.html") return http::HttpResponse::error(404, "no such file");
  http::HttpResponse r;
  r.set("Content-Type", std::string(file->content_type));
  r.body = std::string(file->body);
  return with_page_headers(std::move(r));
}

}  // namespace eudiplo_sse::server
