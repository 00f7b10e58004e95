#include "eudiplo_sse/detail/jwt_parse.hpp"

#include "eudiplo_sse/detail/base64url.hpp"
#include "eudiplo_sse/error.hpp"
#include "jwt_json.hpp"

namespace eudiplo_sse::detail {
namespace {

std::error_code malformed() { return make_error_code(error::token_malformed); }

bool read_string_array(const rapidjson::Value& value, std::vector<std::string>& out) {
  if (!value.IsArray()) return false;
  out.clear();
  out.reserve(value.Size());
  for (const auto& element : value.GetArray()) {
    if (!element.IsString()) return false;
    out.emplace_back(as_view(element));
  }
  return true;
}

bool read_numeric_date(const rapidjson::Value& value, std::optional<double>& out) {
  if (!value.IsNumber()) return false;  // RapidJSON never yields NaN or infinity here
  out = value.GetDouble();
  return true;
}

}  // namespace

std::error_code split_jwt(std::string_view token, JwtParts& parts) noexcept {
  if (token.empty()) return make_error_code(error::token_missing);
  if (token.size() > kMaxTokenSize) return make_error_code(error::token_too_large);
  const auto first = token.find('.');
  if (first == std::string_view::npos) return malformed();
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return malformed();
  if (token.find('.', second + 1) != std::string_view::npos) return malformed();  // JWE, or junk
  parts.header = token.substr(0, first);
  parts.payload = token.substr(first + 1, second - first - 1);
  parts.signature = token.substr(second + 1);
  parts.signing_input = token.substr(0, second);
  // An empty signature is the unsecured JWS of RFC 7515 appendix A.5: never valid here.
  if (parts.header.empty() || parts.payload.empty() || parts.signature.empty()) return malformed();
  return {};
}

std::error_code parse_jwt_header(std::string_view json, JwtHeader& header) {
  JsonObject parsed;
  if (!parsed.parse(json)) return malformed();
  const rapidjson::Value& doc = parsed.root();
  header = JwtHeader{};
  bool has_alg = false;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    const std::string_view name = as_view(m->name);
    const auto& value = m->value;
    if (name == "alg") {
      if (!value.IsString()) return malformed();
      header.alg.assign(as_view(value));
      has_alg = true;
    } else if (name == "kid") {
      if (!value.IsString()) return malformed();
      header.kid.emplace(as_view(value));
    } else if (name == "crit") {
      // RFC 7515 4.1.11: a non-empty array of names; anything else is malformed.
      if (!read_string_array(value, header.crit) || header.crit.empty()) return malformed();
    }
    // `jku`, `x5u`, `jwk`, `x5c` and the rest are read by nobody: keys come only from
    // the verifier's configuration, never from the token that is being verified.
  }
  if (!has_alg) return malformed();
  return {};
}

std::error_code parse_jwt_claims(std::string_view json, std::string_view tenant_claim,
                                 JwtClaims& claims, std::string_view session_claim) {
  JsonObject parsed;
  if (!parsed.parse(json)) return malformed();
  const rapidjson::Value& doc = parsed.root();
  claims = JwtClaims{};
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    const std::string_view name = as_view(m->name);
    const auto& value = m->value;
    // The tenant claim is checked first so that a deployment may name it after a
    // registered claim (`sub`, `iss`) and still have both read.
    if (name == tenant_claim && value.IsString()) claims.tenant.emplace(as_view(value));
    if (!session_claim.empty() && name == session_claim) {
      // A binding that cannot be read must not turn into "unbound": refused.
      if (!value.IsString() || value.GetStringLength() == 0) return malformed();
      claims.session.emplace(as_view(value));
    }
    if (name == "exp") {
      if (!read_numeric_date(value, claims.exp)) return malformed();
    } else if (name == "nbf") {
      if (!read_numeric_date(value, claims.nbf)) return malformed();
    } else if (name == "iat") {
      if (!read_numeric_date(value, claims.iat)) return malformed();
    } else if (name == "iss") {
      if (!value.IsString()) return malformed();
      claims.iss.emplace(as_view(value));
    } else if (name == "sub") {
      if (!value.IsString()) return malformed();
      claims.sub.assign(as_view(value));
    } else if (name == "aud") {
      if (value.IsString()) {
        claims.aud.emplace_back(as_view(value));
      } else if (!read_string_array(value, claims.aud)) {
        return malformed();
      }
    } else if (name == "roles") {
      if (!read_string_array(value, claims.roles)) return malformed();
    }
  }
  return {};
}

std::error_code parse_jwt(std::string_view token, std::string_view tenant_claim, ParsedJwt& out) {
  if (auto ec = split_jwt(token, out.parts)) return ec;
  std::string json;
  if (!base64url_decode(out.parts.header, json)) return malformed();
  if (auto ec = parse_jwt_header(json, out.header)) return ec;
  if (!base64url_decode(out.parts.signature, out.signature)) return malformed();
  if (!base64url_decode(out.parts.payload, json)) return malformed();
  return parse_jwt_claims(json, tenant_claim, out.claims);
}

}  // namespace eudiplo_sse::detail
