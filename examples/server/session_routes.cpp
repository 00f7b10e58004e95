#include "session_routes.hpp"

#include "bearer_auth.hpp"
#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/session_json.hpp"
#include "eudiplo_sse/session_status.hpp"
#include "json_body.hpp"

namespace eudiplo_sse::server {
namespace {

http::HttpResponse session_response(int status, const Session& s) {
  auto r = http::HttpResponse::json(status, session_json(s));
  // Session state changes under the client's feet: never serve it from a cache.
  r.set("Cache-Control", "no-store");
  return r;
}

}  // namespace

SessionRoutes::SessionRoutes(const TokenVerifier& verifier, SessionService& sessions,
                             std::atomic<std::uint64_t>& auth_failures,
                             SessionRoutesOptions options)
    : verifier_(verifier),
      sessions_(sessions),
      auth_failures_(auth_failures),
      options_(std::move(options)) {}

void SessionRoutes::mount(http::Router& router) {
  router.add("POST", "/session",
             [this](http::HttpExchange& ex, const http::RouteParams&) { create(ex); });
  router.add("GET", "/session/{id}",
             [this](http::HttpExchange& ex, const http::RouteParams& p) { get(ex, p.at(0)); });
  router.add("PATCH", "/session/{id}",
             [this](http::HttpExchange& ex, const http::RouteParams& p) { patch(ex, p.at(0)); });
}

void SessionRoutes::create(http::HttpExchange& exchange) {
  const auto& request = exchange.request();
  auto auth = authenticate(request, verifier_, sessions_.now(), auth_failures_);
  if (!auth.principal) return exchange.respond(std::move(auth.refusal));

  std::chrono::seconds ttl = options_.default_ttl;
  if (!is_blank(request.body)) {
    auto doc = parse_json_object(request.body);
    if (!doc) return exchange.respond(http::HttpResponse::error(400, "body is not a JSON object"));
    const auto it = doc->FindMember("ttlSeconds");
    if (it != doc->MemberEnd() && !it->value.IsNull()) {
      const auto max = static_cast<std::uint64_t>(options_.max_ttl.count());
      if (!it->value.IsUint64() || it->value.GetUint64() == 0 || it->value.GetUint64() > max) {
        return exchange.respond(http::HttpResponse::error(
            400, "ttlSeconds must be a whole number of seconds from 1 to " + std::to_string(max)));
      }
      ttl = std::chrono::seconds(static_cast<std::int64_t>(it->value.GetUint64()));
    }
  }

  auto created = sessions_.create(auth.principal->tenant, ttl);
  if (created.error) {
    return exchange.respond(http::HttpResponse::error(500, "cannot create the session"));
  }
  auto response = session_response(201, created.session);
  response.set("Location", options_.base_path + "/session/" + created.session.id);
  exchange.respond(std::move(response));
}

void SessionRoutes::get(http::HttpExchange& exchange, const std::string& id) {
  auto auth = authenticate(exchange.request(), verifier_, sessions_.now(), auth_failures_);
  if (!auth.principal) return exchange.respond(std::move(auth.refusal));
  if (!is_valid_session_id(id)) {
    return exchange.respond(
        http::HttpResponse::error(400, make_error_code(error::invalid_session_id).message()));
  }
  const auto session = sessions_.get(auth.principal->tenant, id);
  if (!session) {
    return exchange.respond(
        http::HttpResponse::error(404, make_error_code(error::session_not_found).message()));
  }
  exchange.respond(session_response(200, *session));
}

void SessionRoutes::patch(http::HttpExchange& exchange, const std::string& id) {
  const auto& request = exchange.request();
  auto auth = authenticate(request, verifier_, sessions_.now(), auth_failures_);
  if (!auth.principal) return exchange.respond(std::move(auth.refusal));
  if (!is_valid_session_id(id)) {
    return exchange.respond(
        http::HttpResponse::error(400, make_error_code(error::invalid_session_id).message()));
  }
  auto doc = parse_json_object(request.body);
  if (!doc) return exchange.respond(http::HttpResponse::error(400, "body is not a JSON object"));
  bool ok = true;
  const auto name = string_member(*doc, "status", ok);
  if (!ok || !name) {
    return exchange.respond(http::HttpResponse::error(400, "status must be a string"));
  }
  const auto status = parse_session_status(*name);
  if (!status) {
    return exchange.respond(http::HttpResponse::error(
        400, "unknown status: use active, fetched, completed, expired or failed"));
  }

  const auto result = sessions_.set_status(auth.principal->tenant, id, *status);
  if (result.error == error::session_not_found) {
    return exchange.respond(http::HttpResponse::error(404, result.error.message()));
  }
  if (result.error == error::session_terminal || result.error == error::invalid_transition) {
    auto message = std::string(result.error.message()) +
                   " (current status: " + std::string(to_string(result.session.status)) + ")";
    return exchange.respond(http::HttpResponse::error(409, message));
  }
  if (result.error) {
    return exchange.respond(http::HttpResponse::error(500, "cannot change the session"));
  }
  exchange.respond(session_response(200, result.session));
}

}  // namespace eudiplo_sse::server
