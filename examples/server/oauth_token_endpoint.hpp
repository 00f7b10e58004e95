// POST /oauth2/token: the OAuth 2.0 client credentials grant (RFC 6749 4.4), as
// EUDIPLO's built-in authorization server offers it, handing out HS256 tokens.
//
// The client authenticates with HTTP Basic (RFC 6749 2.3.1), or with client_id and
// client_secret in a form body (grant_type=client_credentials&...) or a JSON body
// ({"client_id","client_secret"}, grant_type optional). The token carries iss, aud
// (when configured), sub (the client id), the tenant claim (the client's tenant),
// roles, iat and exp.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "eudiplo_sse/asio/http_request.hpp"
#include "eudiplo_sse/asio/http_response.hpp"
#include "eudiplo_sse/clock.hpp"
#include "server_options.hpp"

namespace eudiplo_sse::server {

struct TokenIssuerOptions {
  std::string secret;  // HS256 key, at least 32 bytes
  std::string issuer;
  std::string audience;  // omitted from tokens when empty
  std::string tenant_claim = "tenant_id";
  std::chrono::seconds lifetime{3600};
  // The verifier's leeway: a caller's Principal::expires_at is its `exp` plus this,
  // so a token minted for that caller (events-token) subtracts it to end no later.
  std::chrono::seconds verifier_leeway{30};
  std::vector<std::string> roles{"issuance:offer", "presentation:offer"};
  std::vector<ClientCredentials> clients;
};

class OAuthTokenEndpoint {
 public:
  explicit OAuthTokenEndpoint(TokenIssuerOptions options) : options_(std::move(options)) {}

  // 200 with the token, 400 for a malformed request or another grant type, 401 for
  // an unknown client or a wrong secret.
  http::HttpResponse handle(const http::HttpRequest& request, TimePoint now) const;

  // The signed token for a registered client (tests and tools use it directly).
  std::string issue(const ClientCredentials& client, TimePoint now) const;

 private:
  const ClientCredentials* authenticate(std::string_view id, std::string_view secret) const;
  TokenIssuerOptions options_;
};

// Standard base64 with padding (RFC 4648 4), as HTTP Basic uses; nullopt if invalid.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace eudiplo_sse::server
