#include "session_qr_endpoint.hpp"

#include "qr_svg.hpp"
#include "tenant_session.hpp"

namespace eudiplo_sse::server {

void SessionQrEndpoint::mount(http::Router& router) {
  router.add("GET", "/session/{id}/qr.svg",
             [this](http::HttpExchange& ex, const http::RouteParams& p) {
               ex.respond(handle(ex.request(), p.at(0)));
             });
}

http::HttpResponse SessionQrEndpoint::handle(const http::HttpRequest& request,
                                             std::string_view id) const {
  auto found = find_tenant_session(request, id, verifier_, sessions_, auth_failures_);
  if (!found.session) return std::move(found.refusal);
  auto svg = qr_svg(demo_wallet_url(found.session->id));
  if (!svg) return http::HttpResponse::error(500, "cannot encode the QR code");
  http::HttpResponse r;
  r.set("Content-Type", "image/svg+xml");
  // Answered per tenant: never from a shared cache.
  r.set("Cache-Control", "private, no-store");
  r.set("X-Content-Type-Options", "nosniff");
  r.body = std::move(*svg);
  return r;
}

}  // namespace eudiplo_sse::server
