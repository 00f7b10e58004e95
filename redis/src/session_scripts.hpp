// The Lua scripts of RedisSessionStore. Each runs atomically in Redis, so a
// check and its change cannot interleave with another instance's: this is what
// gives one winner per race and one `expired` per session.
//
// Layout (prefix = RedisOptions::key_prefix):
//   <prefix>s:<id>:<tenant>  hash t,i,s,v,c,u,e (tenant, id, status, version,
//                            created/updated/expires in ms); PEXPIREAT expires+retention
//   <prefix>due              sorted set: session keys of non-terminal sessions,
//                            scored by expires ms
//   <prefix>live:<tenant>    sorted set: session keys of the tenant's non-terminal
//                            sessions, scored by expires ms (the per-tenant cap
//                            counts it after dropping those past their expiry);
//                            PEXPIREAT of its latest-expiring member + retention
//   <prefix>changes          channel: every committed change (change_message.hpp),
//                            PUBLISHed by the script that commits it
#pragma once

namespace eudiplo_sse::redis::detail {

// KEYS: session, due, live. ARGV: tenant, id, created ms, expires ms, drop-at ms,
// cap (live sessions per tenant, 0 = none).
// Returns 1 (created), 0 (exists) or 2 (the tenant is at its cap).
extern const char* const create_script;

// KEYS: session, due, live. ARGV: to, now ms, channel.
// Returns {0} when missing, else {1, code, changed, t, i, s, v, c, u, e} with code
// "ok", "terminal" or "invalid".
extern const char* const transition_script;

// KEYS: due. ARGV: now ms, limit, channel.
// Returns one {t, i, s, v, c, u, e} per session it expired.
extern const char* const expire_script;

}  // namespace eudiplo_sse::redis::detail
