#include "oidc_discovery.hpp"

#include <rapidjson/document.h>

#include "https_fetch.hpp"

namespace eudiplo_sse::server {

std::string openid_configuration_url(std::string_view issuer) {
  std::string url(issuer);
  if (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/.well-known/openid-configuration";
}

bool parse_openid_configuration(std::string_view json, std::string_view issuer,
                                std::string& jwks_uri, std::string& error) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    error = "the OpenID configuration is not a JSON object";
    return false;
  }
  const auto iss = doc.FindMember("issuer");
  if (iss == doc.MemberEnd() || !iss->value.IsString() ||
      std::string_view(iss->value.GetString(), iss->value.GetStringLength()) != issuer) {
    error = "the OpenID configuration's issuer does not equal --oidc-issuer " + std::string(issuer);
    return false;
  }
  const auto uri = doc.FindMember("jwks_uri");
  HttpsUrl parsed;
  if (uri == doc.MemberEnd() || !uri->value.IsString() ||
      !parse_https_url(std::string_view(uri->value.GetString(), uri->value.GetStringLength()),
                       parsed)) {
    error = "the OpenID configuration has no https jwks_uri";
    return false;
  }
  jwks_uri.assign(uri->value.GetString(), uri->value.GetStringLength());
  return true;
}

}  // namespace eudiplo_sse::server
