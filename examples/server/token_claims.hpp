// Reading a claim the Principal does not carry from a token that has already been
// verified (the signature is not checked here: call it only after verification).
#pragma once

#include <string_view>

namespace eudiplo_sse::server {

// Whether the payload of the compact JWS `token` has a member `claim`. False for
// anything that is not a well-formed token.
bool jwt_has_claim(std::string_view token, std::string_view claim);

}  // namespace eudiplo_sse::server
