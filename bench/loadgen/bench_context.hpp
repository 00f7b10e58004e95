// What every scenario shares: the io_context (one, driven from the main thread), the control
// connections, the token signer, the server's /proc sampler, the conformance log, and the
// StreamGroup that opens many streams without flooding the server's accept queue.
#pragma once
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "conformance.hpp"
#include "connector.hpp"
#include "control_pool.hpp"
#include "json_writer.hpp"
#include "jwt_signer.hpp"
#include "latency_summary.hpp"
#include "options.hpp"
#include "process_sampler.hpp"
#include "sse_client.hpp"
#include "timing.hpp"

namespace eudiplo_sse::bench {

struct ScenarioResult {
  explicit ScenarioResult(std::string n) : name(std::move(n)) {}
  std::string name;
  JsonObject params;
  JsonObject metrics;
  ProcessSample before;
  ProcessSample after;
  // Lost events, failed requests or streams: a non-empty list fails --fail-on-loss.
  std::vector<std::string> problems;
  std::vector<std::string> notes;
  // "key: value" lines for the human summary.
  std::vector<std::string> summary;
};

class Bench {
 public:
  explicit Bench(Options options);
  // Empty on success.
  std::string init();

  // Runs the io_context until done() holds or `timeout` passes; returns done().
  bool run_until(const std::function<bool()>& done, Duration timeout);
  void run_for(Duration d);

  std::string obtain_control_token();
  // POST /session n times (control connections in parallel). Fewer ids on failure, and
  // `error` says why.
  std::vector<std::string> create_sessions(std::size_t n, std::string& error);
  std::string events_target(const std::string& session_id, const std::string& token) const;
  // PATCH /session/{id}; it is sent to whichever instance's control() the caller submits it to.
  ControlRequest patch_request(const std::string& session_id, Status to) const;
  // A token for one stream: distinct (fresh `jti`) when a signer exists, else the control token.
  std::string stream_token();
  bool can_sign() const { return signer_ != nullptr; }
  const JwtSigner* signer() const { return signer_.get(); }

  const Options& opt() const { return opt_; }
  asio::io_context& io() { return io_; }
  // Instance 0 is --url; instance 1 (two-instance scenarios) is --url-b.
  std::size_t instances() const { return instances_.size(); }
  StreamEnv& env(std::size_t instance = 0) { return *instances_[instance].env; }
  ControlPool& control(std::size_t instance = 0) { return *instances_[instance].control; }
  // Requests queued on the control connections of every instance.
  std::size_t control_queued() const;
  const std::vector<ProcessSampler::Target>& sampled_processes() const {
    return sampler_.targets();
  }
  Conformance& conformance() { return conformance_; }
  ProcessSample sample() const { return sampler_.sample(); }
  const std::string& control_token() const { return control_token_; }
  // Drops the control connections and whatever is queued or in flight on them (their handlers
  // are never called): for the end of a scenario whose handlers point into its stack.
  void reset_control();

 private:
  // One server: where its sockets connect, its streams' environment, its JSON connections.
  struct Instance {
    std::unique_ptr<Connector> connector;
    std::unique_ptr<StreamEnv> env;
    std::unique_ptr<ControlPool> control;
  };
  // Adds the server at `url` (http://HOST:PORT[/base]); empty on success.
  std::string add_instance(const std::string& url);

  Options opt_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  Conformance conformance_;
  std::vector<Instance> instances_;
  std::unique_ptr<JwtSigner> signer_;
  ProcessSampler sampler_;
  std::string control_token_;
  std::string base_path_;
  std::uint64_t token_serial_ = 0;
};

// Opens streams through a window of concurrent handshakes (connect .. first event) and keeps
// them; forwards every callback to an optional delegate after its own bookkeeping.
class StreamGroup : public StreamObserver {
 public:
  StreamGroup(Bench& bench, StreamObserver* delegate, std::size_t window);
  ~StreamGroup();
  StreamGroup(const StreamGroup&) = delete;
  StreamGroup& operator=(const StreamGroup&) = delete;

  // Opens the stream on `instance` (0: --url, 1: --url-b).
  void open(std::uint32_t tag, std::string session_id, std::string target,
            std::size_t instance = 0);
  // Closes from our side; no callback follows.
  void close(std::uint32_t tag);
  void close_all();
  SseClient* client(std::uint32_t tag) const;

  bool settled() const { return pending_.empty() && handshaking_ == 0; }
  std::size_t open_streams() const { return open_; }
  std::uint64_t opened() const { return opened_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t ended_by_server() const { return ended_by_server_; }
  std::uint64_t heartbeats() const { return heartbeats_; }
  // Streams that never got their first event, by HTTP status (0: connect or I/O error).
  const std::map<int, std::uint64_t>& failures() const { return failures_; }
  LatencySummary& first_event_latency() { return first_event_; }
  // Closes streams that got a terminal event but were not ended by the server; returns how many.
  std::size_t close_lingering_terminal();

  void on_stream_event(SseClient& client, const StreamEvent& event) override;
  void on_stream_heartbeat(SseClient& client) override;
  void on_stream_end(SseClient& client, StreamEnd why) override;

 private:
  struct Pending {
    std::uint32_t tag;
    std::string session_id;
    std::string target;
    std::size_t instance;
  };
  void pump();

  Bench& bench_;
  StreamObserver* delegate_;
  std::size_t window_;
  std::vector<std::shared_ptr<SseClient>> clients_;  // by tag
  std::deque<Pending> pending_;
  std::size_t handshaking_ = 0;
  std::size_t open_ = 0;
  std::uint64_t opened_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t ended_by_server_ = 0;
  std::uint64_t heartbeats_ = 0;
  std::map<int, std::uint64_t> failures_;
  LatencySummary first_event_;
};

std::string describe_failures(const std::map<int, std::uint64_t>& failures);

// Runs until every stream `group` was asked to open has its first event or failed (up to
// --setup-timeout), notes timeouts and failures as problems, then lets the server settle 1 s.
void await_streams_open(Bench& bench, StreamGroup& group, ScenarioResult& r);

}  // namespace eudiplo_sse::bench
