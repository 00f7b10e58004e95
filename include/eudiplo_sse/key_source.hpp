// Key sources: where a JwtVerifier's keys come from when they rotate.
//
// A KeySource loads a key set into a JwtVerifier (JwtVerifier::replace_jwks) and
// later replaces it when its origin changes: JwksFileSource watches a file,
// JwksUrlSource fetches a URL through a fetch function the host provides (the
// library itself does no network I/O). Whatever goes wrong, the verifier keeps the
// last good key set; the source counts the failure and says so through `log`.
//
// The host calls tick() about once a second (from the same timer that ticks
// EventsRoute) and refresh() on demand, e.g. on SIGHUP. Neither blocks on the
// network. All members are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/clock.hpp"
#include "eudiplo_sse/export.hpp"

namespace eudiplo_sse {

// One line for the host's log. Never holds a token or key material.
using KeySourceLog = std::function<void(std::string_view line)>;

struct KeySourceStats {
  std::uint64_t attempts = 0;         // reads or fetches started
  std::uint64_t refreshes = 0;        // ... that produced a valid key set (changed or not)
  std::uint64_t failures = 0;         // ... that failed; the last good set stayed
  std::uint64_t early_refreshes = 0;  // fetches started early for an unknown `kid`
  TimePoint last_success{};           // when the keys were last loaded or confirmed
  std::error_code last_error;         // of the latest attempt; empty after a success
};

class EUDIPLO_SSE_EXPORT KeySource {
 public:
  virtual ~KeySource() = default;
  // Does what is due: a reload or fetch when the schedule or a change says so.
  virtual void tick() = 0;
  // Reload or fetch at the next opportunity regardless of the schedule.
  virtual void refresh() = 0;
  virtual KeySourceStats stats() const = 0;
};

}  // namespace eudiplo_sse
