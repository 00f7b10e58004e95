// JwksUrlSource: a JWKS document at an HTTPS URL (an identity provider's jwks_uri),
// refreshed on a schedule. The refresh policy lives here; the HTTP GET is the
// host's (HttpFetch), so the library stays free of network code and the policy is
// tested without a network.
//
// Schedule. After a good fetch the next one is due after the response's
// `Cache-Control: max-age` (no-store/no-cache count as 0), or default_interval
// without one, clamped into [min_interval, max_interval]; after a failed one, after
// min_interval. One fetch at a time.
//
// Unknown kids. When the verifier refused tokens with error::key_unknown since
// the last tick (an identity provider may sign with a new key before our next
// scheduled fetch), the next fetch starts early, but never sooner than
// min_interval after the previous one: a flood of tokens with forged kids costs
// at most one fetch per min_interval.
//
// Failures (transport error, HTTP status other than 200, body over max_size, not a
// valid JWKS with at least one usable key, each key checked as by add_jwks) keep
// the last good key set and are logged.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/jwt_verifier.hpp"
#include "eudiplo_sse/key_source.hpp"

namespace eudiplo_sse {

struct HttpFetchResult {
  std::error_code error;  // transport, TLS, timeout, size cap: anything but an HTTP answer
  int status = 0;
  std::string body;
  std::string cache_control;  // the Cache-Control header, empty if absent
};

// Starts a GET of `url` and calls `done` exactly once, on any thread, possibly
// before returning. Must verify the server's certificate and cap size and time.
using HttpFetchDone = std::function<void(HttpFetchResult)>;
using HttpFetch = std::function<void(const std::string& url, HttpFetchDone done)>;

struct JwksUrlSourceOptions {
  std::string url;
  HttpFetch fetch;
  std::chrono::seconds default_interval{300};
  std::chrono::seconds min_interval{30};
  std::chrono::seconds max_interval{86400};
  std::size_t max_size = 1 << 20;  // bytes of the JWKS document
  ClockFn clock = system_now;
  KeySourceLog log;  // may be empty
};

class EUDIPLO_SSE_EXPORT JwksUrlSource final : public KeySource {
 public:
  // The verifier must outlive the source. A fetch still running when the source
  // is destroyed completes into nothing.
  JwksUrlSource(JwtVerifier& verifier, JwksUrlSourceOptions options);
  ~JwksUrlSource() override;

  void tick() override;
  void refresh() override;
  KeySourceStats stats() const override;

  // Whether a fetch is running (for start-up code that waits for the first one).
  bool fetching() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

namespace detail {
// The max-age of a Cache-Control header value: nullopt without one, 0 for
// no-store or no-cache, saturating at a year for absurd values.
std::optional<std::chrono::seconds> cache_control_max_age(std::string_view header);
}  // namespace detail

}  // namespace eudiplo_sse
