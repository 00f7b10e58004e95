// The JSON documents of the contract, written with RapidJSON.
#pragma once

#include <string>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/session.hpp"

namespace eudiplo_sse {

// The status event data: {"id","status","updatedAt"} in that order.
EUDIPLO_SSE_EXPORT std::string status_event_json(const Session& s);

// The session resource: {"id","status","version","createdAt","updatedAt","expiresAt"}.
EUDIPLO_SSE_EXPORT std::string session_json(const Session& s);

}  // namespace eudiplo_sse
