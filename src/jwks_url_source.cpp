#include "eudiplo_sse/jwks_url_source.hpp"

#include <algorithm>
#include <cstdint>
#include <mutex>

namespace eudiplo_sse {
namespace detail {

std::optional<std::chrono::seconds> cache_control_max_age(std::string_view header) {
  constexpr std::uint64_t kYear = 365ull * 86400;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto iequals = [&](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  };
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  std::optional<std::chrono::seconds> result;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (iequals(item, "no-store") || iequals(item, "no-cache")) {
      return std::chrono::seconds(0);  // wins over any max-age beside it
    }
    const auto eq = item.find('=');
    if (eq == std::string_view::npos || !iequals(trim(item.substr(0, eq)), "max-age")) continue;
    std::string_view value = trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (value.empty()) continue;
    std::uint64_t n = 0;
    bool digits = true;
    for (const char c : value) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      n = std::min<std::uint64_t>(n * 10 + static_cast<std::uint64_t>(c - '0'), kYear);
    }
    if (digits) result = std::chrono::seconds(n);
  }
  return result;
}

}  // namespace detail

struct JwksUrlSource::State {
  State(JwtVerifier& v, JwksUrlSourceOptions o) : verifier(v), options(std::move(o)) {
    options.min_interval = std::max(options.min_interval, std::chrono::seconds(1));
    options.max_interval = std::max(options.max_interval, options.min_interval);
    if (!options.clock) options.clock = system_now;
  }

  void say(const std::string& line) const {
    if (options.log) options.log(line);
  }
  // Decides under the lock whether a fetch starts now.
  bool start_due_fetch(TimePoint now, bool& early);
  void complete(HttpFetchResult result);
  void fail(TimePoint now, std::error_code ec, const std::string& why);

  JwtVerifier& verifier;
  JwksUrlSourceOptions options;
  mutable std::mutex mutex;
  bool in_flight = false;
  bool force = false;
  bool unknown_pending = false;
  std::uint64_t unknown_seen = 0;
  TimePoint next_due{};  // the epoch: the first tick fetches
  TimePoint last_attempt{};
  KeySourceStats stats;
};

bool JwksUrlSource::State::start_due_fetch(TimePoint now, bool& early) {
  const std::uint64_t unknown = verifier.unknown_key_count();
  if (unknown != unknown_seen) unknown_pending = true;
  unknown_seen = unknown;
  if (in_flight) return false;
  const bool scheduled = force || now >= next_due;
  early = !scheduled && unknown_pending && now - last_attempt >= options.min_interval;
  if (!scheduled && !early) return false;
  in_flight = true;
  force = false;
  unknown_pending = false;  // this fetch answers every unknown kid seen so far
  last_attempt = now;
  ++stats.attempts;
  if (early) ++stats.early_refreshes;
  return true;
}

void JwksUrlSource::State::fail(TimePoint now, std::error_code ec, const std::string& why) {
  ++stats.failures;
  stats.last_error = ec;
  next_due = now + options.min_interval;
  std::string age = "never loaded";
  if (stats.last_success != TimePoint{}) {
    age = "loaded " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now - stats.last_success).count()) +
          " s ago";
  }
  say("JWKS " + options.url + ": " + why + "; keeping the last good key set (" +
      std::to_string(verifier.key_count()) + " keys, " + age + "), retry in " +
      std::to_string(options.min_interval.count()) + " s");
}

void JwksUrlSource::State::complete(HttpFetchResult result) {
  std::lock_guard<std::mutex> lock(mutex);
  const TimePoint now = options.clock();
  in_flight = false;
  if (result.error) return fail(now, result.error, "fetch failed: " + result.error.message());
  if (result.status != 200) {
    return fail(now, make_error_code(error::key_source_failed),
                "HTTP status " + std::to_string(result.status));
  }
  if (result.body.size() > options.max_size) {
    return fail(now, make_error_code(error::key_source_failed), "document too large");
  }
  const std::uint64_t before = verifier.key_generation();
  if (const auto ec = verifier.replace_jwks(result.body)) {
    return fail(now, ec, "not a usable JWKS (" + ec.message() + ")");
  }
  const auto max_age = detail::cache_control_max_age(result.cache_control);
  const auto wait = std::clamp(max_age.value_or(options.default_interval), options.min_interval,
                               options.max_interval);
  next_due = now + wait;
  ++stats.refreshes;
  stats.last_success = now;
  stats.last_error.clear();
  if (verifier.key_generation() != before) {
    say("JWKS " + options.url + ": new key set of " + std::to_string(verifier.key_count()) +
        " keys (generation " + std::to_string(verifier.key_generation()) + "); next refresh in " +
        std::to_string(wait.count()) + " s");
  }
}

JwksUrlSource::JwksUrlSource(JwtVerifier& verifier, JwksUrlSourceOptions options)
    : state_(std::make_shared<State>(verifier, std::move(options))) {}

JwksUrlSource::~JwksUrlSource() = default;

void JwksUrlSource::tick() {
  bool early = false;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->start_due_fetch(state_->options.clock(), early)) return;
  }
  if (early)
    state_->say("JWKS " + state_->options.url + ": token with an unknown kid, refreshing early");
  std::weak_ptr<State> weak = state_;
  auto done = [weak](HttpFetchResult result) {
    if (auto state = weak.lock()) state->complete(std::move(result));
  };
  if (!state_->options.fetch) {
    done(HttpFetchResult{make_error_code(error::key_source_failed), 0, {}, {}});
    return;
  }
  try {
    state_->options.fetch(state_->options.url, std::move(done));
  } catch (...) {
    // A fetch that throws instead of calling done: count it as a failed attempt.
    state_->complete(HttpFetchResult{make_error_code(error::key_source_failed), 0, {}, {}});
  }
}

void JwksUrlSource::refresh() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->force = true;
}

KeySourceStats JwksUrlSource::stats() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->stats;
}

bool JwksUrlSource::fetching() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->in_flight;
}

}  // namespace eudiplo_sse
