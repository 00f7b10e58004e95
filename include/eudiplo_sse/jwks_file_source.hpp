// JwksFileSource: a JWKS document in a file, reloaded when the file changes.
//
// tick() stats the file (inode, size, modification time); when any of them moved
// it reads the file and, if the bytes differ from the last good load, replaces the
// verifier's keys. Renaming a new file over the old one (the atomic way to update,
// and what Kubernetes does with mounted secrets) is seen as a change. refresh()
// re-reads at once. A missing, unreadable or invalid file keeps the last good key
// set and is logged once per change of the file, not once per tick.
#pragma once

#include <memory>
#include <string>
#include <system_error>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "eudiplo_sse/key_source.hpp"

namespace eudiplo_sse {

struct JwksFileSourceOptions {
  std::string path;
  ClockFn clock = system_now;
  KeySourceLog log;                // may be empty
  std::size_t max_size = 1 << 20;  // bytes; a larger file is refused
};

class EUDIPLO_SSE_EXPORT JwksFileSource final : public KeySource {
 public:
  // The verifier must outlive the source.
  JwksFileSource(JwtVerifier& verifier, JwksFileSourceOptions options);
  ~JwksFileSource() override;

  // Reads the file now: empty on success, else error::key_source_failed (cannot
  // read, too large) or error::key_invalid (not a usable JWKS). For start-up.
  std::error_code load();

  void tick() override;
  void refresh() override;
  KeySourceStats stats() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace eudiplo_sse
