#include "redis_reply.hpp"

#include <hiredis/hiredis.h>

namespace eudiplo_sse::redis::detail {

std::string RedisReply::text() const {
  switch (type) {
    case Type::string:
    case Type::status: return str;
    case Type::integer: return std::to_string(integer);
    default: return {};
  }
}

RedisReply to_reply(const redisReply* r, int depth) {
  RedisReply out;
  // Our scripts return at most two levels; a hostile or broken server must not
  // make us recurse without bound.
  if (r == nullptr || depth > 8) return out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(to_reply(r->element[i], depth + 1));
      }
      break;
    default: break;  // REDIS_REPLY_NIL and RESP3 types we never ask for
  }
  return out;
}

}  // namespace eudiplo_sse::redis::detail
