#include "session_routes.hpp"

#include <utility>

namespace eudiplo_sse::server {

SessionRoutes::SessionRoutes(const TokenVerifier& verifier, SessionService& sessions,
                             std::atomic<std::uint64_t>& auth_failures,
                             SessionRoutesOptions options)
    : api_(verifier, sessions, auth_failures, std::move(options)) {}

void SessionRoutes::mount(http::Router& router) {
  router.add("POST", "/session",
             [this](http::HttpExchange& ex, const http::RouteParams&) { answer(ex, {}); });
  for (const char* method : {"GET", "PATCH"}) {
    router.add(method, "/session/{id}", [this](http::HttpExchange& ex, const http::RouteParams& p) {
      answer(ex, std::string_view(p.at(0)));
    });
  }
}

void SessionRoutes::answer(http::HttpExchange& exchange, std::optional<std::string_view> id) const {
  // The store may answer later (Redis): the answer goes out from its completion,
  // and no I/O thread waits for it.
  auto deferred = exchange.defer();
  if (!deferred) return;
  const auto& request = exchange.request();
  api_.async_handle({request.method, id, request.field("Authorization"), request.body},
                    [deferred](examples::ApiResponse r) {
                      try {
                        http::HttpResponse response;
                        response.status = r.status;
                        response.body = std::move(r.body);
                        for (auto& h : r.headers)
                          response.set(std::move(h.name), std::move(h.value));
                        deferred->respond(std::move(response));
                      } catch (...) {
                        // Out of memory: the Deferred answers 500 when dropped.
                      }
                    });
}

}  // namespace eudiplo_sse::server
