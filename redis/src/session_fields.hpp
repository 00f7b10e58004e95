// Reading the script and HMGET replies of RedisSessionStore back into sessions.
#pragma once

#include <optional>
#include <system_error>
#include <vector>

#include "eudiplo_sse/session_store.hpp"
#include "redis_reply.hpp"

namespace eudiplo_sse::redis::detail {

// Seven fields from `offset`: tenant, id, status, version, created, updated,
// expires (ms). std::nullopt when any is missing or malformed.
std::optional<Session> session_from_fields(const std::vector<RedisReply>& fields,
                                           std::size_t offset);

// The transition script's reply (session_scripts.hpp) as a TransitionResult;
// a transport error or a malformed reply gives error::store_unavailable.
TransitionResult transition_from_reply(std::error_code ec, const RedisReply& reply);

}  // namespace eudiplo_sse::redis::detail
