// Strict JSON for JOSE: RapidJSON plus the checks it does not make itself.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace eudiplo_sse::detail {

// One JSON object parsed strictly: exactly one object in valid UTF-8 without any
// 0x00 byte, parsed iteratively (no recursion on input depth), nested at most
// `max_depth` deep, with no member name repeated within any object. RapidJSON keeps
// duplicate members and FindMember returns the first, while other JOSE libraries take
// the last: a token saying `tenant_id` twice would mean different tenants to different
// readers, so it is refused rather than guessed (RFC 7515 5.2, RFC 8725 3.3).
//
// Values and the parser's stack start in buffers inside this object, so a token's
// header and claims parse without touching the heap; larger documents (JWKS) spill
// over to it. Lives on the stack: 4 KiB.
class JsonObject {
 public:
  JsonObject() = default;
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  bool parse(std::string_view text, int max_depth = 32);
  const rapidjson::Value& root() const noexcept { return doc_; }

 private:
  using Allocator = rapidjson::MemoryPoolAllocator<>;
  alignas(16) char value_buffer_[3072];
  alignas(16) char stack_buffer_[1024];
  Allocator values_{value_buffer_, sizeof value_buffer_};
  Allocator stack_{stack_buffer_, sizeof stack_buffer_};
  rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator> doc_{
      &values_, sizeof stack_buffer_, &stack_};
};

inline std::string_view as_view(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

}  // namespace eudiplo_sse::detail
