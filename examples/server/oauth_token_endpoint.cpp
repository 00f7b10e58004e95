#include "oauth_token_endpoint.hpp"

#include <openssl/crypto.h>

#include "eudiplo_sse/http_target.hpp"
#include "json_body.hpp"
#include "token_minting.hpp"

namespace eudiplo_sse::server {
namespace {

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // The length is not secret; the bytes are compared without an early exit.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool iprefix(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && http::iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type without parameters, e.g. "application/json".
std::string_view media_type(std::string_view content_type) noexcept {
  return trim(content_type.substr(0, content_type.find(';')));
}

http::HttpResponse bad_request(std::string_view message) {
  return no_store(http::HttpResponse::error(400, message));
}

http::HttpResponse unauthorized(std::string_view message, bool basic) {
  auto r = no_store(http::HttpResponse::error(401, message));
  // RFC 6749 5.2: a client that tried Basic gets the Basic challenge back.
  if (basic) r.set("WWW-Authenticate", "Basic realm=\"eudiplo_sse\"");
  return r;
}

struct Credentials {
  std::string id;
  std::string secret;
  std::string grant_type;
  bool has_grant_type = false;
};

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0) {
        return std::nullopt;  // data after padding
      } else {
        v[k] = base64_value(c);
        if (v[k] < 0) return std::nullopt;
      }
    }
    const unsigned bits = (static_cast<unsigned>(v[0]) << 18) |
                          (static_cast<unsigned>(v[1]) << 12) | (static_cast<unsigned>(v[2]) << 6) |
                          static_cast<unsigned>(v[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return out;
}

const ClientCredentials* OAuthTokenEndpoint::authenticate(std::string_view id,
                                                          std::string_view secret) const {
  const ClientCredentials* found = nullptr;
  for (const auto& c : options_.clients) {
    if (c.id == id) {
      found = &c;
      break;
    }
  }
  if (!found) return nullptr;
  return constant_time_equal(found->secret, secret) ? found : nullptr;
}

std::string OAuthTokenEndpoint::issue(const ClientCredentials& client, TimePoint now) const {
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const MintedClaims claims{client.id, client.tenant, options_.roles,
                            {},        iat,           options_.lifetime.count()};
  return mint_token(options_, claims);
}

http::HttpResponse OAuthTokenEndpoint::handle(const http::HttpRequest& request,
                                              TimePoint now) const {
  Credentials creds;
  bool from_basic = false;

  const auto authorization = trim(request.field("Authorization"));
  if (iprefix(authorization, "basic ")) {
    auto decoded = base64_decode(trim(authorization.substr(6)));
    if (!decoded) return unauthorized("malformed Basic credentials", true);
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return unauthorized("malformed Basic credentials", true);
    // RFC 6749 2.3.1: both parts are form-encoded before going into Basic.
    auto id = form_decode(std::string_view(*decoded).substr(0, colon));
    auto secret = form_decode(std::string_view(*decoded).substr(colon + 1));
    creds.id = id ? std::move(*id) : decoded->substr(0, colon);
    creds.secret = secret ? std::move(*secret) : decoded->substr(colon + 1);
    from_basic = true;
  }

  const std::string_view body = request.body;
  if (!is_blank(body)) {
    const auto type = media_type(request.field("Content-Type"));
    const bool json =
        http::iequals(type, "application/json") || (type.empty() && trim(body).substr(0, 1) == "{");
    if (json) {
      auto doc = parse_json_object(body);
      if (!doc) return bad_request("body is not a JSON object");
      bool ok = true;
      auto id = string_member(*doc, "client_id", ok);
      auto secret = string_member(*doc, "client_secret", ok);
      auto grant = string_member(*doc, "grant_type", ok);
      if (!ok) return bad_request("client_id, client_secret and grant_type must be strings");
      if (!from_basic && id) creds.id = std::move(*id);
      if (!from_basic && secret) creds.secret = std::move(*secret);
      if (grant) {
        creds.grant_type = std::move(*grant);
        creds.has_grant_type = true;
      }
    } else if (type.empty() || http::iequals(type, "application/x-www-form-urlencoded")) {
      auto params = parse_query(body);
      if (!params) return bad_request("malformed form body");
      const auto* id = find_param(*params, "client_id");
      const auto* secret = find_param(*params, "client_secret");
      const auto* grant = find_param(*params, "grant_type");
      if (!from_basic && id) creds.id = *id;
      if (!from_basic && secret) creds.secret = *secret;
      if (grant) {
        creds.grant_type = *grant;
        creds.has_grant_type = true;
      }
    } else {
      return no_store(http::HttpResponse::error(
          415, "use application/x-www-form-urlencoded or application/json"));
    }
  }

  if (creds.has_grant_type && creds.grant_type != "client_credentials") {
    return bad_request("unsupported grant_type: only client_credentials is offered");
  }
  if (creds.id.empty() && creds.secret.empty()) {
    return unauthorized("client authentication required", true);
  }
  const ClientCredentials* client = authenticate(creds.id, creds.secret);
  if (!client) return unauthorized("invalid client credentials", from_basic);

  const std::string token = issue(*client, now);
  if (token.empty()) return no_store(http::HttpResponse::error(500, "cannot sign tokens"));

  return token_response(200, token, options_.lifetime.count());
}

}  // namespace eudiplo_sse::server
