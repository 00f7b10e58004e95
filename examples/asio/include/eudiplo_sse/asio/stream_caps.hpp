// Caps on open event streams per session and per token, for the events endpoint
// (issue 11): a flood of streams on one session, or through one leaked token, is
// refused with 429 once the cap is reached, instead of growing without bound.
//
// Kept in the adapter, not the library's EventsRoute: a slot is taken after
// route.check() accepted the request (so unauthenticated floods never count) and
// given back when the route drops the stream's writer, which the adapter sees by
// wrapping that writer.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "eudiplo_sse/sse_writer.hpp"

namespace eudiplo_sse::http {

struct StreamCapsOptions {
  // Streams one session may have open (a wallet page or a few browser tabs need
  // a handful). 0: no cap.
  std::size_t per_session = 64;
  // Streams one token may have open. 0: no cap (the default: an issuer backend
  // may follow every session of its tenant with one service token).
  std::size_t per_token = 0;
};

class StreamCaps {
 public:
  explicit StreamCaps(StreamCapsOptions options = {}) : options_(options) {}

  class Slot;
  // One slot of `session_id` and one of `token`, held until the last reference
  // goes; null (and counted as refused) when either is full.
  std::shared_ptr<Slot> take(std::string_view session_id, std::string_view token);
  // `writer`, holding `slot` until the route drops it.
  static std::shared_ptr<SseWriter> hold(std::shared_ptr<Slot> slot,
                                         std::shared_ptr<SseWriter> writer);

  std::uint64_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
  std::size_t open() const;

 private:
  void release(const std::string& session_key, const std::string& token_key);
  bool has_room_locked(const std::string& session_key, const std::string& token_key) const;
  static std::string token_key(std::string_view token);

  const StreamCapsOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> sessions_;
  std::unordered_map<std::string, std::size_t> tokens_;  // keyed by a hash, never the token
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace eudiplo_sse::http
