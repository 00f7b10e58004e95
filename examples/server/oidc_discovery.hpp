// OpenID Connect discovery (OpenID Connect Discovery 1.0, section 4): the issuer's
// configuration document names its jwks_uri. Read once at start-up.
#pragma once

#include <string>
#include <string_view>

namespace eudiplo_sse::server {

// ISSUER/.well-known/openid-configuration, a terminating '/' of the issuer removed
// first (section 4.1).
std::string openid_configuration_url(std::string_view issuer);

// Takes jwks_uri from a configuration document. Refused (false, `error` says why):
// not a JSON object, `issuer` not exactly equal to `issuer` (section 4.3: this
// stops one provider from impersonating another), `jwks_uri` missing or not https.
bool parse_openid_configuration(std::string_view json, std::string_view issuer,
                                std::string& jwks_uri, std::string& error);

}  // namespace eudiplo_sse::server
