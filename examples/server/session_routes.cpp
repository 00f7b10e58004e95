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
  const auto& request = exchange.request();
  examples::ApiResponse r =
      api_.handle({request.method, id, request.field("Authorization"), request.body});
  http::HttpResponse response;
  response.status = r.status;
  response.body = std::move(r.body);
  for (auto& h : r.headers) response.set(std::move(h.name), std::move(h.value));
  exchange.respond(std::move(response));
}

}  // namespace eudiplo_sse::server
