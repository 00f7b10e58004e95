// The verified-token cache of JwtVerifier (see the trade-off in jwt_verifier.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "eudiplo_sse/token_verifier.hpp"

namespace eudiplo_sse::detail {

// Bounded and thread-safe: a few shards, each a map under its own mutex with a
// first-in-first-out ring of at most capacity/shards entries, so memory is fixed
// and concurrent verifications of different tokens rarely meet on one lock.
// Keys are SHA-256 digests of whole tokens: a hit means the very same bytes were
// verified before, and a forged token cannot collide into someone else's entry.
class VerifiedTokenCache {
 public:
  using Digest = std::array<unsigned char, 32>;

  explicit VerifiedTokenCache(std::size_t capacity);  // 0 disables the cache

  bool enabled() const noexcept { return shard_count_ != 0; }

  // The principal of a token verified before, if `now` is still inside its validity
  // window. An entry found past its window is dropped.
  bool find(const Digest& digest, TimePoint now, Principal& principal) const;

  // Remembers a verified token until `valid_until` (exp plus leeway); `valid_from`
  // (nbf or iat minus leeway) keeps a clock that moves back from reusing it early.
  void insert(const Digest& digest, TimePoint valid_from, TimePoint valid_until,
              const Principal& principal);

 private:
  struct DigestHash {
    std::size_t operator()(const Digest& d) const noexcept {
      std::size_t h;  // the digest is uniform already: its first bytes are a fine hash
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct Entry {
    Principal principal;
    TimePoint valid_from;
    TimePoint valid_until;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Digest, Entry, DigestHash> entries;
    std::vector<Digest> order;  // insertion ring: order[next] is evicted next
    std::size_t next = 0;
  };

  Shard& shard_for(const Digest& digest) const noexcept;

  std::size_t shard_count_ = 0;
  std::size_t shard_capacity_ = 0;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace eudiplo_sse::detail
