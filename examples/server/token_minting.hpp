// What the example server's two token routes share (POST /oauth2/token and
// POST /session/{id}/events-token): the claims they sign with the server's HS256
// secret, and the RFC 6749 5.1 answer that carries the token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eudiplo_sse/asio/http_response.hpp"
#include "oauth_token_endpoint.hpp"

namespace eudiplo_sse::server {

struct MintedClaims {
  std::string_view subject;  // `sub`; omitted when empty
  std::string_view tenant;   // under issuer.tenant_claim
  const std::vector<std::string>& roles;
  std::string_view session_id;  // `sid`, binding the token to one session; omitted when empty
  std::int64_t issued_at = 0;   // `iat`, seconds since the epoch
  std::int64_t lifetime = 0;    // `exp` = iat + lifetime
};

// The signed token (`iss`, `aud` when configured, then the claims above); empty
// when it cannot be signed.
std::string mint_token(const TokenIssuerOptions& issuer, const MintedClaims& claims);

// `status` with {"access_token","token_type":"Bearer","expires_in"}, never cached.
http::HttpResponse token_response(int status, const std::string& token, std::int64_t lifetime);

// RFC 6749 5.1: a response about tokens must not be cached.
http::HttpResponse no_store(http::HttpResponse response);

}  // namespace eudiplo_sse::server
