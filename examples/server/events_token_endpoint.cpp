#include "events_token_endpoint.hpp"

#include <algorithm>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "eudiplo_sse/jwt_signer.hpp"
#include "tenant_session.hpp"

namespace eudiplo_sse::server {
namespace {

std::int64_t seconds_since_epoch(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

http::HttpResponse no_store(http::HttpResponse r) {
  // A token response must not be cached (RFC 6749 5.1), like /oauth2/token's.
  r.set("Cache-Control", "no-store");
  r.set("Pragma", "no-cache");
  return r;
}

}  // namespace

EventsTokenEndpoint::EventsTokenEndpoint(const TokenVerifier& verifier, SessionService& sessions,
                                         std::atomic<std::uint64_t>& auth_failures,
                                         TokenIssuerOptions issuer)
    : verifier_(verifier),
      sessions_(sessions),
      auth_failures_(auth_failures),
      issuer_(std::move(issuer)) {}

void EventsTokenEndpoint::mount(http::Router& router) {
  router.add("POST", "/session/{id}/events-token",
             [this](http::HttpExchange& ex, const http::RouteParams& p) {
               ex.respond(handle(ex.request(), p.at(0)));
             });
}

http::HttpResponse EventsTokenEndpoint::handle(const http::HttpRequest& request,
                                               std::string_view id) const {
  auto found = find_tenant_session(request, id, verifier_, sessions_, auth_failures_);
  if (!found.session) return no_store(std::move(found.refusal));

  const std::int64_t now = seconds_since_epoch(sessions_.now());
  std::int64_t lifetime = issuer_.lifetime.count();
  lifetime = std::min(lifetime, seconds_since_epoch(found.session->expires_at) - now);
  // A verifier may leave exp unset (a host's own TokenVerifier); then it sets no bound.
  // expires_at is when the verifier stops accepting (exp + leeway): the caller's exp
  // is the bound, so the minted token never outlives the one that asked for it.
  if (found.principal->expires_at != TimePoint{}) {
    const std::int64_t caller_exp =
        seconds_since_epoch(found.principal->expires_at) - issuer_.verifier_leeway.count();
    lifetime = std::min(lifetime, caller_exp - now);
  }
  if (lifetime <= 0) {
    return no_store(http::HttpResponse::error(409, "the session or the token has expired"));
  }
  const std::string token = sign(*found.principal, found.session->id, now, lifetime);
  if (token.empty()) return no_store(http::HttpResponse::error(500, "cannot sign tokens"));

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("access_token");
  w.String(token.data(), static_cast<rapidjson::SizeType>(token.size()));
  w.Key("token_type");
  w.String("Bearer");
  w.Key("expires_in");
  w.Int64(lifetime);
  w.EndObject();
  return no_store(http::HttpResponse::json(201, std::string(buffer.GetString(), buffer.GetSize())));
}

std::string EventsTokenEndpoint::sign(const Principal& caller, std::string_view session_id,
                                      std::int64_t iat, std::int64_t lifetime) const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("iss");
  string(issuer_.issuer);
  if (!issuer_.audience.empty()) {
    w.Key("aud");
    string(issuer_.audience);
  }
  if (!caller.subject.empty()) {
    w.Key("sub");
    string(caller.subject);
  }
  w.Key(issuer_.tenant_claim.c_str(),
        static_cast<rapidjson::SizeType>(issuer_.tenant_claim.size()));
  string(caller.tenant);
  w.Key("roles");
  w.StartArray();
  for (const auto& role : caller.roles) string(role);
  w.EndArray();
  w.Key("sid");
  string(session_id);
  w.Key("iat");
  w.Int64(iat);
  w.Key("exp");
  w.Int64(iat + lifetime);
  w.EndObject();
  return sign_hs_jwt(std::string_view(buffer.GetString(), buffer.GetSize()), issuer_.secret);
}

}  // namespace eudiplo_sse::server
