// A Redis reply as a value (RESP2 types), copied out of hiredis's redisReply so
// that completions never hold hiredis memory past its callback.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace eudiplo_sse::redis::detail {

struct RedisReply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string str;  // string, status and error
  std::vector<RedisReply> elements;

  bool is_error() const noexcept { return type == Type::error; }
  // A bulk or status string, or an integer written out; empty otherwise.
  std::string text() const;
};

// Deep copy of `reply` (nullptr: nil). Depth-limited: deeper arrays become nil.
RedisReply to_reply(const redisReply* reply, int depth = 0);

}  // namespace eudiplo_sse::redis::detail
