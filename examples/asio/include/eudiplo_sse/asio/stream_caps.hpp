// Caps on open event streams per session and per token, for the events endpoint
// (issue 11): a flood of streams on one session, or through one leaked token, is
// refused with 429 once the cap is reached, instead of growing without bound.
//
// Kept in the adapter, not the library's EventsRoute: a slot is taken after
// route.check() accepted the request (so unauthenticated floods never count) and
// given back when the route drops the stream's writer, which the adapter sees by
// wrapping that writer.
//
// Memory (issue 12): a held slot costs one small allocation per stream, the
// wrapping writer, which points at the counters' map entries (stable in an
// unordered_map) instead of copying their keys. A count with no cap is not kept
// at all: without --max-streams-per-token no token is even hashed.
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
  using Counts = std::unordered_map<std::string, std::size_t>;
  using Entry = Counts::value_type;

 public:
  explicit StreamCaps(StreamCapsOptions options = {}) : options_(options) {}
  StreamCaps(const StreamCaps&) = delete;
  StreamCaps& operator=(const StreamCaps&) = delete;

  // One stream's place in the counts, given back when the Slot goes (move-only).
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept { swap(other); }
    Slot& operator=(Slot&& other) noexcept {
      Slot(std::move(other)).swap(*this);
      return *this;
    }
    ~Slot();
    explicit operator bool() const noexcept { return caps_ != nullptr; }

   private:
    friend class StreamCaps;
    void swap(Slot& other) noexcept;
    StreamCaps* caps_ = nullptr;
    Entry* session_ = nullptr;  // null when sessions are not capped
    Entry* token_ = nullptr;    // null when tokens are not capped
  };

  // A slot of `session_id` (of `tenant`: ids are unique per tenant only) and of
  // `token`; an empty Slot (and counted as refused) when either is full.
  Slot take(std::string_view tenant, std::string_view session_id, std::string_view token);
  // `writer`, holding `slot` until the route drops it.
  static std::shared_ptr<SseWriter> hold(Slot slot, std::shared_ptr<SseWriter> writer);

  std::uint64_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
  // Slots held now.
  std::size_t open() const noexcept { return open_.load(std::memory_order_relaxed); }

 private:
  void release(Entry* session, Entry* token) noexcept;
  static Entry* count_locked(Counts& counts, std::string key);
  static void uncount_locked(Counts& counts, Entry* entry) noexcept;

  const StreamCapsOptions options_;
  mutable std::mutex mutex_;
  Counts sessions_;  // keyed by tenant and session id
  Counts tokens_;    // keyed by a digest, never the token
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::size_t> open_{0};
};

}  // namespace eudiplo_sse::http
