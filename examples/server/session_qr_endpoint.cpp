#include "session_qr_endpoint.hpp"

#include "qr_svg.hpp"
#include "tenant_session.hpp"

namespace eudiplo_sse::server {

void SessionQrEndpoint::mount(http::Router& router) {
  router.add("GET", "/session/{id}/qr.svg",
             [this](http::HttpExchange& ex, const http::RouteParams& p) {
               // The session is read from the store, which may answer later (Redis).
               auto deferred = ex.defer();
               if (!deferred) return;
               handle(ex.request(), p.at(0),
                      [deferred](http::HttpResponse r) { deferred->respond(std::move(r)); });
             });
}

void SessionQrEndpoint::handle(const http::HttpRequest& request, std::string_view id,
                               Completion done) const {
  find_tenant_session(request, id, verifier_, sessions_, auth_failures_, unavailable_retry_after,
                      [done = std::move(done)](TenantSession found) {
                        try {
                          done(answer(std::move(found)));
                        } catch (...) {
                          // Out of memory: a deferred answer left unanswered becomes a 500.
                        }
                      });
}

http::HttpResponse SessionQrEndpoint::answer(TenantSession found) {
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
