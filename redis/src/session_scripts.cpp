#include "session_scripts.hpp"

namespace eudiplo_sse::redis::detail {

// Shared by the scripts: the status rules of session_status.hpp, and the change
// message of change_message.hpp. Numbers travel as strings: Lua numbers are
// doubles, and Redis would truncate them in replies.
#define EUDIPLO_SSE_LUA_COMMON                                                           \
  "local terminal = {completed=true, expired=true, failed=true}\n"                       \
  "local function publish(channel, h)\n"                                                 \
  "  redis.call('PUBLISH', channel, h[4]..' '..h[3]..' '..h[6]..' '..h[2]..' '..h[1])\n" \
  "end\n"

// The count and the insert are one script, so instances sharing the Redis never
// both take the last slot. Sessions past their expiry leave the live set here
// (the expiry sweep need not know about it).
const char* const create_script =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])\n"
    "local cap = tonumber(ARGV[6])\n"
    "if cap > 0 and redis.call('ZCARD', KEYS[3]) >= cap then return 2 end\n"
    "redis.call('HSET', KEYS[1], 't', ARGV[1], 'i', ARGV[2], 's', 'active', 'v', '1',\n"
    "           'c', ARGV[3], 'u', ARGV[3], 'e', ARGV[4])\n"
    "redis.call('PEXPIREAT', KEYS[1], ARGV[5])\n"
    "redis.call('ZADD', KEYS[2], ARGV[4], KEYS[1])\n"
    "redis.call('ZADD', KEYS[3], ARGV[4], KEYS[1])\n"
    "local top = redis.call('ZRANGE', KEYS[3], -1, -1)\n"
    "if top[1] == KEYS[1] then redis.call('PEXPIREAT', KEYS[3], ARGV[5]) end\n"
    "return 1\n";

const char* const transition_script = EUDIPLO_SSE_LUA_COMMON
    "local h = redis.call('HMGET', KEYS[1], 't', 'i', 's', 'v', 'c', 'u', 'e')\n"
    "if not h[1] then return {0} end\n"
    "local to, now = ARGV[1], ARGV[2]\n"
    "local code, changed = 'ok', 0\n"
    "local function change(s)\n"
    "  h[3] = s; h[4] = tostring(tonumber(h[4]) + 1); h[6] = now\n"
    "  redis.call('HSET', KEYS[1], 's', s, 'v', h[4], 'u', now)\n"
    "  if terminal[s] then\n"
    "    redis.call('ZREM', KEYS[2], KEYS[1])\n"
    "    redis.call('ZREM', KEYS[3], KEYS[1])\n"
    "  end\n"
    "  publish(ARGV[3], h)\n"
    "  changed = 1\n"
    "end\n"
    "local from = h[3]\n"
    "if from == to then\n"
    "elseif terminal[from] then code = 'terminal'\n"
    "elseif tonumber(now) >= tonumber(h[7]) then\n"
    "  change('expired')\n"
    "  if to ~= 'expired' then code = 'terminal' end\n"
    "elseif to == 'active' or (to == 'fetched' and from ~= 'active') then code = 'invalid'\n"
    "elseif to == 'fetched' or terminal[to] then change(to)\n"
    "else code = 'invalid' end\n"
    "return {1, code, changed, h[1], h[2], h[3], h[4], h[5], h[6], h[7]}\n";

const char* const expire_script = EUDIPLO_SSE_LUA_COMMON
    "local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])\n"
    "local out = {}\n"
    "for _, k in ipairs(keys) do\n"
    "  redis.call('ZREM', KEYS[1], k)\n"
    "  local h = redis.call('HMGET', k, 't', 'i', 's', 'v', 'c', 'u', 'e')\n"
    "  if h[1] and not terminal[h[3]] then\n"
    "    h[3] = 'expired'; h[4] = tostring(tonumber(h[4]) + 1); h[6] = ARGV[1]\n"
    "    redis.call('HSET', k, 's', 'expired', 'v', h[4], 'u', ARGV[1])\n"
    "    publish(ARGV[3], h)\n"
    "    out[#out + 1] = h\n"
    "  end\n"
    "end\n"
    "return out\n";

#undef EUDIPLO_SSE_LUA_COMMON

}  // namespace eudiplo_sse::redis::detail
