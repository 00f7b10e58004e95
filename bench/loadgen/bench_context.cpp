#include "bench_context.hpp"

#include <asio/ip/tcp.hpp>

#include <algorithm>

namespace eudiplo_sse::bench {

namespace {

// The string value of "name" in a flat JSON object (enough for the routes' answers).
std::string json_string_field(std::string_view body, std::string_view name) {
  std::string key = "\"" + std::string(name) + "\"";
  auto at = body.find(key);
  if (at == std::string_view::npos) return {};
  at += key.size();
  while (at < body.size() && (body[at] == ' ' || body[at] == ':')) ++at;
  if (at >= body.size() || body[at] != '"') return {};
  auto end = body.find('"', at + 1);
  if (end == std::string_view::npos) return {};
  return std::string(body.substr(at + 1, end - at - 1));
}

}  // namespace

namespace {

// What the sampler watches: the server(s) under test, and their Redis when given.
std::vector<ProcessSampler::Target> sampled_targets(const Options& o) {
  std::vector<ProcessSampler::Target> targets;
  if (o.url_b.empty()) {
    targets.push_back({"server", o.server_pid});
  } else {
    targets.push_back({"server_a", o.server_pid});
    targets.push_back({"server_b", o.server_pid_b});
  }
  if (o.redis_pid > 0) targets.push_back({"redis", o.redis_pid});
  return targets;
}

}  // namespace

Bench::Bench(Options options)
    : opt_(std::move(options)),
      work_(asio::make_work_guard(io_)),
      sampler_(sampled_targets(opt_)) {}

std::string Bench::add_instance(const std::string& base_url) {
  // http://HOST:PORT[/base]
  std::string url = base_url;
  if (url.rfind("http://", 0) != 0) return "only http:// URLs are supported: " + url;
  url.erase(0, 7);
  auto slash = url.find('/');
  std::string authority = url.substr(0, slash);
  std::string base_path = slash == std::string::npos ? "" : url.substr(slash);
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  // One base path for all: the requests are built once, for whichever instance.
  if (instances_.empty()) {
    base_path_ = base_path;
  } else if (base_path != base_path_) {
    return "--url and --url-b must have the same base path";
  }
  auto colon = authority.rfind(':');
  std::string host = authority.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  asio::ip::tcp::resolver resolver(io_);
  std::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) return "cannot resolve " + authority + ": " + ec.message();
  asio::ip::tcp::endpoint server = *results.begin();
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) {
      server = entry.endpoint();
      break;
    }
  }
  Instance instance;
  instance.connector = std::make_unique<Connector>(server, opt_.sources);
  instance.env =
      std::make_unique<StreamEnv>(StreamEnv{io_, *instance.connector, authority, conformance_});
  instance.control = std::make_unique<ControlPool>(
      io_, *instance.connector, authority,
      static_cast<std::size_t>(std::max(1, opt_.control_connections)));
  instances_.push_back(std::move(instance));
  return {};
}

std::string Bench::init() {
  if (std::string error = add_instance(opt_.url); !error.empty()) return error;
  if (!opt_.url_b.empty()) {
    if (std::string error = add_instance(opt_.url_b); !error.empty()) return error;
  }

  TokenClaims claims;
  claims.issuer = opt_.issuer;
  claims.subject = opt_.client_id;
  claims.tenant = opt_.tenant;
  if (opt_.auth == "es256") {
    std::string error;
    signer_ = JwtSigner::es256(opt_.ec_key, opt_.kid, claims, error);
    if (!signer_) return error;
  } else if (!opt_.jwt_secret.empty()) {
    signer_ = JwtSigner::hs256(opt_.jwt_secret, claims);
  }
  return {};
}

void Bench::reset_control() {
  for (Instance& instance : instances_) {
    instance.control->close();
    instance.control = std::make_unique<ControlPool>(
        io_, *instance.connector, instance.env->host,
        static_cast<std::size_t>(std::max(1, opt_.control_connections)));
  }
}

std::size_t Bench::control_queued() const {
  std::size_t n = 0;
  for (const Instance& instance : instances_) n += instance.control->queued();
  return n;
}

bool Bench::run_until(const std::function<bool()>& done, Duration timeout) {
  const TimePoint deadline = Clock::now() + timeout;
  while (!done()) {
    const TimePoint now = Clock::now();
    if (now >= deadline) return false;
    io_.run_one_for(std::min<Duration>(deadline - now, std::chrono::milliseconds(100)));
  }
  return true;
}

void Bench::run_for(Duration d) {
  run_until([] { return false; }, d);
}

std::string Bench::obtain_control_token() {
  if (opt_.auth == "es256") {
    control_token_ = signer_->sign(token_serial_++);
    return control_token_.empty() ? "ES256 signing failed" : "";
  }
  ControlRequest request;
  request.method = "POST";
  request.target = base_path_ + "/oauth2/token";
  request.authorization = "Basic " + std::string([&] {
                            // HTTP Basic uses standard base64 with padding.
                            std::string raw = opt_.client_id + ":" + opt_.client_secret;
                            std::string b = base64url(raw);
                            for (char& c : b) c = c == '-' ? '+' : c == '_' ? '/' : c;
                            while (b.size() % 4) b += '=';
                            return b;
                          }());
  request.content_type = "application/x-www-form-urlencoded";
  request.body = "grant_type=client_credentials";
  bool done = false;
  std::string error;
  control().submit(std::move(request), [&](const ControlResponse& r) {
    done = true;
    if (r.status != 200) {
      error = "POST /oauth2/token answered " + std::to_string(r.status);
      return;
    }
    control_token_ = json_string_field(r.body, "access_token");
    if (control_token_.empty()) error = "POST /oauth2/token: no access_token in the answer";
  });
  if (!run_until([&] { return done; }, std::chrono::seconds(10))) {
    reset_control();
    return "POST /oauth2/token timed out";
  }
  return error;
}

std::vector<std::string> Bench::create_sessions(std::size_t n, std::string& error) {
  std::vector<std::string> ids;
  ids.reserve(n);
  std::size_t answered = 0;
  std::map<int, std::uint64_t> bad;
  const std::string body = "{\"ttlSeconds\":" + std::to_string(opt_.session_ttl) + "}";
  for (std::size_t i = 0; i < n; ++i) {
    ControlRequest request;
    request.method = "POST";
    request.target = base_path_ + "/session";
    request.authorization = "Bearer " + control_token_;
    request.body = body;
    control().submit(std::move(request), [&](const ControlResponse& r) {
      ++answered;
      std::string id = r.status == 201 ? json_string_field(r.body, "id") : std::string();
      if (id.empty()) {
        ++bad[r.status];
        return;
      }
      ids.push_back(std::move(id));
    });
  }
  bool finished = run_until([&] { return answered == n; }, from_seconds(opt_.setup_timeout));
  if (!finished) reset_control();
  if (!finished)
    error = "creating sessions timed out after " + std::to_string(answered) + " of " +
            std::to_string(n);
  if (!bad.empty()) {
    error += (error.empty() ? "" : "; ") + std::string("POST /session failed: ") +
             describe_failures(bad);
  }
  return ids;
}

std::string Bench::events_target(const std::string& session_id, const std::string& token) const {
  return base_path_ + "/session/" + session_id + "/events?token=" + token;
}

ControlRequest Bench::patch_request(const std::string& session_id, Status to) const {
  ControlRequest request;
  request.method = "PATCH";
  request.target = base_path_ + "/session/" + session_id;
  request.authorization = "Bearer " + control_token_;
  request.body = "{\"status\":\"" + std::string(status_name(to)) + "\"}";
  return request;
}

std::string Bench::stream_token() {
  if (!signer_) return control_token_;
  return signer_->sign(token_serial_++);
}

std::string describe_failures(const std::map<int, std::uint64_t>& failures) {
  std::string out;
  for (const auto& [status, count] : failures) {
    if (!out.empty()) out += ", ";
    out += std::to_string(count) + " x ";
    out += status == 0     ? std::string("no answer")
           : status == 200 ? std::string("HTTP 200 ended before an event")
                           : "HTTP " + std::to_string(status);
  }
  return out;
}

void await_streams_open(Bench& bench, StreamGroup& group, ScenarioResult& r) {
  if (!bench.run_until([&] { return group.settled(); }, from_seconds(bench.opt().setup_timeout))) {
    r.problems.push_back("opening streams timed out");
  }
  if (group.failed() != 0) {
    r.problems.push_back(std::to_string(group.failed()) +
                         " streams failed to open: " + describe_failures(group.failures()));
  }
  bench.run_for(std::chrono::seconds(1));
}

StreamGroup::StreamGroup(Bench& bench, StreamObserver* delegate, std::size_t window)
    : bench_(bench), delegate_(delegate), window_(std::max<std::size_t>(1, window)) {}

StreamGroup::~StreamGroup() { close_all(); }

void StreamGroup::open(std::uint32_t tag, std::string session_id, std::string target,
                       std::size_t instance) {
  pending_.push_back(Pending{tag, std::move(session_id), std::move(target), instance});
  pump();
}

void StreamGroup::pump() {
  while (!pending_.empty() && handshaking_ < window_) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (p.tag >= clients_.size()) clients_.resize(p.tag + 1);
    if (clients_[p.tag]) close(p.tag);
    auto client =
        std::make_shared<SseClient>(bench_.env(p.instance), p.tag, std::move(p.session_id), this);
    clients_[p.tag] = client;
    ++handshaking_;
    client->start(p.target);
  }
}

void StreamGroup::close(std::uint32_t tag) {
  if (tag >= clients_.size() || !clients_[tag]) return;
  auto& client = clients_[tag];
  if (client->is_open()) {
    if (client->events() == 0) {
      --handshaking_;
    } else {
      --open_;
    }
    client->close();
  }
  client.reset();
  pump();
}

void StreamGroup::close_all() {
  pending_.clear();
  for (auto& client : clients_) {
    if (client) client->close();
    client.reset();
  }
  handshaking_ = 0;
  open_ = 0;
}

SseClient* StreamGroup::client(std::uint32_t tag) const {
  return tag < clients_.size() ? clients_[tag].get() : nullptr;
}

std::size_t StreamGroup::close_lingering_terminal() {
  std::size_t n = 0;
  for (std::uint32_t tag = 0; tag < clients_.size(); ++tag) {
    if (clients_[tag] && clients_[tag]->is_open() && clients_[tag]->terminal_seen()) {
      close(tag);
      ++n;
    }
  }
  return n;
}

void StreamGroup::on_stream_event(SseClient& client, const StreamEvent& event) {
  if (event.first) {
    --handshaking_;
    ++open_;
    ++opened_;
    first_event_.add(event.at - client.started_at());
  }
  if (delegate_) delegate_->on_stream_event(client, event);
  if (event.first) pump();
}

void StreamGroup::on_stream_heartbeat(SseClient& client) {
  ++heartbeats_;
  if (delegate_) delegate_->on_stream_heartbeat(client);
}

void StreamGroup::on_stream_end(SseClient& client, StreamEnd why) {
  const std::uint32_t tag = client.tag();
  if (client.events() == 0) {
    --handshaking_;
    ++failed_;
    // 200 here: the stream was accepted but ended before its first event.
    ++failures_[why == StreamEnd::failed ? 0 : client.http_status()];
  } else {
    --open_;
    ++ended_by_server_;
  }
  // The client object lives on until its handler returns; the slot is free now.
  if (tag < clients_.size() && clients_[tag].get() == &client) clients_[tag].reset();
  if (delegate_) delegate_->on_stream_end(client, why);
  pump();
}

}  // namespace eudiplo_sse::bench
