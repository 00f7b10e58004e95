// A cap on open event streams per token, for the events endpoint (issue 11): a
// flood of streams through one leaked token is refused with 429 once the cap is
// reached, instead of growing without bound. (The cap per session is the
// library's: EventsRouteOptions::max_streams_per_session, which costs no memory
// per stream.)
//
// A slot is taken after route.check() accepted the request (so unauthenticated
// floods never count) and given back when the route drops the stream's writer,
// which the adapter sees by wrapping that writer: one small allocation per stream,
// pointing at the count's map entry (stable in an unordered_map). Without a cap
// (the default) nothing is taken, wrapped or hashed.
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
    Entry* token_ = nullptr;
  };

  // Whether there is a cap at all (else the endpoint takes no slots).
  bool capped() const noexcept { return options_.per_token != 0; }
  // A slot of `token`; an empty Slot (and counted as refused) when it is full.
  Slot take(std::string_view token);
  // `writer`, holding `slot` until the route drops it.
  static std::shared_ptr<SseWriter> hold(Slot slot, std::shared_ptr<SseWriter> writer);

  std::uint64_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
  // Slots held now.
  std::size_t open() const noexcept { return open_.load(std::memory_order_relaxed); }

 private:
  void release(Entry* token) noexcept;
  static Entry* count_locked(Counts& counts, std::string key);
  static void uncount_locked(Counts& counts, Entry* entry) noexcept;

  const StreamCapsOptions options_;
  mutable std::mutex mutex_;
  Counts tokens_;  // keyed by a digest, never the token
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::size_t> open_{0};
};

}  // namespace eudiplo_sse::http
