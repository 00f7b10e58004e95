#include "server_key_source.hpp"

#include <csignal>

#include "eudiplo_sse/jwks_file_source.hpp"
#include "eudiplo_sse/jwks_url_source.hpp"
#include "https_fetch.hpp"
#include "oidc_discovery.hpp"

namespace eudiplo_sse::server {
namespace {

constexpr int exit_usage = 2;
constexpr int exit_failure = 1;
constexpr auto tick_period = std::chrono::seconds(1);
constexpr auto fetch_timeout = std::chrono::seconds(10);

}  // namespace

bool uses_key_source(const ServerOptions& opts) {
  return !opts.jwks_file.empty() || !opts.jwks_url.empty() || !opts.oidc_issuer.empty();
}

ServerKeySource::ServerKeySource(asio::io_context& io, JwtVerifier& verifier,
                                 const ServerOptions& opts, Log log)
    : io_(io),
      verifier_(verifier),
      opts_(opts),
      log_(std::move(log)),
      strand_(asio::make_strand(io)),
      timer_(strand_),
      hangup_(strand_) {}

ServerKeySource::~ServerKeySource() = default;

int ServerKeySource::start(std::string& error) {
  if (!uses_key_source(opts_)) return 0;
  KeySourceLog log = [this](std::string_view line) { log_(std::string(line)); };
  if (!opts_.jwks_file.empty()) {
    JwksFileSourceOptions o;
    o.path = opts_.jwks_file;
    o.log = log;
    auto file = std::make_unique<JwksFileSource>(verifier_, std::move(o));
    if (const auto ec = file->load()) {
      error = "--jwks file " + opts_.jwks_file + ": " + ec.message();
      return exit_usage;
    }
    source_ = std::move(file);
  } else if (const int status = start_url(error)) {
    return status;
  }
  std::error_code ec;
  hangup_.add(SIGHUP, ec);
  if (!ec) wait_hangup();
  arm_tick();
  return 0;
}

int ServerKeySource::start_url(std::string& error) {
  HttpsFetchOptions fetch_options;
  fetch_options.ca_file = opts_.jwks_ca;
  fetch_options.timeout = fetch_timeout;
  std::string jwks_url = opts_.jwks_url;
  if (!opts_.oidc_issuer.empty()) {
    const std::string config_url = openid_configuration_url(opts_.oidc_issuer);
    std::string message;
    const HttpFetchResult config = fetch_blocking(config_url, fetch_options, message);
    if (config.error || config.status != 200) {
      error = "--oidc-issuer: cannot read " + config_url + ": " +
              (!message.empty() ? message
               : config.error   ? config.error.message()
                                : "HTTP status " + std::to_string(config.status));
      return exit_failure;
    }
    if (!parse_openid_configuration(config.body, opts_.oidc_issuer, jwks_url, error)) {
      return exit_usage;
    }
    log_("--oidc-issuer " + opts_.oidc_issuer + ": jwks_uri " + jwks_url);
  }
  auto fetcher = HttpsFetcher::create(io_, fetch_options, error);
  if (!fetcher) return exit_usage;
  JwksUrlSourceOptions o;
  o.url = jwks_url;
  o.fetch = make_https_fetch(std::move(fetcher));
  o.default_interval = opts_.jwks_refresh;
  o.max_interval = opts_.jwks_refresh;
  o.min_interval = opts_.jwks_min_refresh;
  o.log = [this](std::string_view line) { log_(std::string(line)); };
  auto url = std::make_unique<JwksUrlSource>(verifier_, std::move(o));
  // The first fetch runs to completion here, on the server's io_context before
  // its threads start; without a first key set no token could verify.
  url->tick();
  const auto deadline = std::chrono::steady_clock::now() + fetch_timeout + std::chrono::seconds(1);
  while (url->fetching() && std::chrono::steady_clock::now() < deadline) {
    io_.run_one_for(std::chrono::milliseconds(100));
    if (io_.stopped()) io_.restart();
  }
  if (io_.stopped()) io_.restart();
  if (url->stats().refreshes == 0) {
    error = "--jwks-url " + jwks_url + ": no usable key set (see above)";
    return exit_failure;
  }
  source_ = std::move(url);
  return 0;
}

void ServerKeySource::arm_tick() {
  timer_.expires_after(tick_period);
  timer_.async_wait([this](const std::error_code& ec) {
    if (ec) return;
    try {
      source_->tick();
    } catch (...) {
      // Out of memory in one round; the next tick tries again.
    }
    arm_tick();
  });
}

void ServerKeySource::wait_hangup() {
  hangup_.async_wait([this](const std::error_code& ec, int) {
    if (ec) return;
    log_("SIGHUP: reloading the key set");
    try {
      source_->refresh();
      source_->tick();
    } catch (...) {
    }
    wait_hangup();
  });
}

}  // namespace eudiplo_sse::server
