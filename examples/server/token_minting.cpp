#include "token_minting.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "eudiplo_sse/jwt_signer.hpp"

namespace eudiplo_sse::server {

std::string mint_token(const TokenIssuerOptions& issuer, const MintedClaims& claims) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("iss");
  string(issuer.issuer);
  if (!issuer.audience.empty()) {
    w.Key("aud");
    string(issuer.audience);
  }
  if (!claims.subject.empty()) {
    w.Key("sub");
    string(claims.subject);
  }
  w.Key(issuer.tenant_claim.c_str(), static_cast<rapidjson::SizeType>(issuer.tenant_claim.size()));
  string(claims.tenant);
  w.Key("roles");
  w.StartArray();
  for (const auto& role : claims.roles) string(role);
  w.EndArray();
  if (!claims.session_id.empty()) {
    w.Key("sid");
    string(claims.session_id);
  }
  w.Key("iat");
  w.Int64(claims.issued_at);
  w.Key("exp");
  w.Int64(claims.issued_at + claims.lifetime);
  w.EndObject();
  return sign_hs_jwt(std::string_view(buffer.GetString(), buffer.GetSize()), issuer.secret);
}

http::HttpResponse token_response(int status, const std::string& token, std::int64_t lifetime) {
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
  return no_store(
      http::HttpResponse::json(status, std::string(buffer.GetString(), buffer.GetSize())));
}

http::HttpResponse no_store(http::HttpResponse response) {
  response.set("Cache-Control", "no-store");
  response.set("Pragma", "no-cache");
  return response;
}

}  // namespace eudiplo_sse::server
