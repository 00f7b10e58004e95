#include "session_api.hpp"

#include <future>
#include <memory>
#include <utility>

#include "eudiplo_sse/error.hpp"
#include "eudiplo_sse/events_route.hpp"
#include "eudiplo_sse/session_json.hpp"
#include "eudiplo_sse/session_status.hpp"
#include "json_body.hpp"

namespace eudiplo_sse::examples {
namespace {

using server::is_blank;
using server::parse_json_object;
using server::string_member;

ApiResponse from(EventsResponse refusal) {
  return {refusal.status, std::move(refusal.headers), std::move(refusal.body)};
}

ApiResponse error(int status, std::string_view message) { return from(refuse(status, message)); }

ApiResponse session_response(int status, const Session& s) {
  // Session state changes under the client's feet: never serve it from a cache.
  return {status,
          {{"Content-Type", "application/json; charset=utf-8"}, {"Cache-Control", "no-store"}},
          session_json(s)};
}

// 503 + Retry-After: the store could not answer within its bounded wait.
ApiResponse unavailable(std::chrono::seconds retry_after) {
  ApiResponse r = error(503, make_error_code(error::store_unavailable).message());
  r.headers.push_back({"Retry-After", std::to_string(retry_after.count())});
  return r;
}

}  // namespace

SessionApi::SessionApi(const TokenVerifier& verifier, SessionService& sessions,
                       std::atomic<std::uint64_t>& auth_failures, SessionApiOptions options)
    : verifier_(verifier),
      sessions_(sessions),
      auth_failures_(auth_failures),
      options_(std::move(options)) {}

ApiResponse SessionApi::handle(const ApiRequest& request) const {
  // Shared with the completion: on a network store it runs on the store's thread,
  // which may still be inside set_value when get() here has returned.
  auto promise = std::make_shared<std::promise<ApiResponse>>();
  std::future<ApiResponse> answer = promise->get_future();
  async_handle(request, [promise](ApiResponse r) { promise->set_value(std::move(r)); });
  return answer.get();  // the completion runs exactly once
}

void SessionApi::async_handle(const ApiRequest& request, Completion done) const {
  const bool create_route = !request.id && request.method == "POST";
  const bool id_route = request.id && (request.method == "GET" || request.method == "PATCH");
  if (!create_route && !id_route) return done(error(405, "method not allowed"));

  // The session API takes the token from the Authorization header only.
  const std::string_view token = select_token(request.authorization, {});
  VerifyResult who;
  if (token.empty()) {
    who.error = error::token_missing;
  } else {
    who = verifier_.verify(token, sessions_.now());
  }
  if (who.error) {
    auth_failures_.fetch_add(1, std::memory_order_relaxed);
    return done(from(refuse_token(who.error)));
  }
  if (create_route) return create(who.principal, request.body, std::move(done));
  if (!is_valid_session_id(*request.id)) {
    return done(error(400, make_error_code(error::invalid_session_id).message()));
  }
  if (request.method == "GET") return get(who.principal, *request.id, std::move(done));
  patch(who.principal, *request.id, request.body, std::move(done));
}

void SessionApi::create(const Principal& who, std::string_view body, Completion done) const {
  std::chrono::seconds ttl = options_.default_ttl;
  if (!is_blank(body)) {
    auto doc = parse_json_object(body);
    if (!doc) return done(error(400, "body is not a JSON object"));
    const auto it = doc->FindMember("ttlSeconds");
    if (it != doc->MemberEnd() && !it->value.IsNull()) {
      const auto max = static_cast<std::uint64_t>(options_.max_ttl.count());
      if (!it->value.IsUint64() || it->value.GetUint64() == 0 || it->value.GetUint64() > max) {
        return done(error(
            400, "ttlSeconds must be a whole number of seconds from 1 to " + std::to_string(max)));
      }
      ttl = std::chrono::seconds(static_cast<std::int64_t>(it->value.GetUint64()));
    }
  }
  sessions_.async_create(
      who.tenant, ttl, {},
      [retry = options_.unavailable_retry_after, base = options_.base_path,
       done = std::move(done)](CreateResult created) {
        if (created.error == error::store_unavailable) {
          return done(unavailable(retry));
        }
        // No Retry-After: a slot frees when one of the tenant's sessions ends,
        // which nothing here can predict.
        if (created.error == error::tenant_session_limit) {
          return done(error(429, created.error.message()));
        }
        if (created.error) return done(error(500, "cannot create the session"));
        auto response = session_response(201, created.session);
        response.headers.push_back({"Location", base + "/session/" + created.session.id});
        done(std::move(response));
      });
}

void SessionApi::get(const Principal& who, std::string_view id, Completion done) const {
  sessions_.async_get(
      who.tenant, id,
      [retry = options_.unavailable_retry_after, done = std::move(done)](
          std::error_code ec, std::optional<Session> session) {
        if (ec) return done(unavailable(retry));
        if (!session) {
          return done(error(404, make_error_code(error::session_not_found).message()));
        }
        done(session_response(200, *session));
      });
}

void SessionApi::patch(const Principal& who, std::string_view id, std::string_view body,
                       Completion done) const {
  auto doc = parse_json_object(body);
  if (!doc) return done(error(400, "body is not a JSON object"));
  bool ok = true;
  const auto name = string_member(*doc, "status", ok);
  if (!ok || !name) return done(error(400, "status must be a string"));
  const auto status = parse_session_status(*name);
  if (!status) {
    return done(error(400, "unknown status: use active, fetched, completed, expired or failed"));
  }
  sessions_.async_set_status(
      who.tenant, id, *status,
      [retry = options_.unavailable_retry_after, done = std::move(done)](TransitionResult result) {
        if (result.error == error::store_unavailable) return done(unavailable(retry));
        if (result.error == error::session_not_found)
          return done(error(404, result.error.message()));
        if (result.error == error::session_terminal || result.error == error::invalid_transition) {
          return done(error(409, std::string(result.error.message()) + " (current status: " +
                                     std::string(to_string(result.session.status)) + ")"));
        }
        if (result.error) return done(error(500, "cannot change the session"));
        done(session_response(200, result.session));
      });
}

}  // namespace eudiplo_sse::examples
