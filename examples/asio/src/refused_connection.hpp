// A plain connection beyond a connection cap: answered 503 with Retry-After and
// closed. Private to the adapter.
#pragma once

#include <memory>

#include "http_connection.hpp"

namespace eudiplo_sse::http::detail {

// Writes the 503 at once (a fresh socket's send buffer has room), stops sending,
// then reads and discards what the client sent until it closes or one second
// passes: closing with unread input would send a reset that can destroy the 503
// on its way. Counted in core.refusals_in_flight while it lasts.
void refuse_connection(const std::shared_ptr<ServerCore>& core, PlainStream socket);

}  // namespace eudiplo_sse::http::detail
