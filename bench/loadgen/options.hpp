// Command line of eudiplo_sse_loadgen. Every count and duration is a flag, so bench/run.sh runs
// the full scenarios and bench/smoke.sh a tiny version of the same code.
#pragma once
#include <string>
#include <vector>

namespace eudiplo_sse::bench {

struct Options {
  std::string command = "run";  // run | jwks
  std::string url = "http://127.0.0.1:8080";
  std::string label = "server";
  int server_pid = 0;
  // The two-instance scenarios (issue 10): a second server on the same Redis, and the Redis
  // server whose CPU is sampled beside the two servers'.
  std::string url_b;
  int server_pid_b = 0;
  int redis_pid = 0;
  std::vector<std::string> scenarios;
  std::string json_path;
  bool fail_on_loss = false;
  bool fail_on_deviation = false;

  // Tokens: "hs256" takes the control token from POST /oauth2/token and signs per-stream
  // tokens with --jwt-secret; "es256" signs everything with --ec-key (server started --jwks).
  std::string auth = "hs256";
  std::string jwt_secret;
  std::string ec_key;
  std::string kid = "bench-es256";
  std::string client_id = "demo";
  std::string client_secret = "demo-secret";
  std::string tenant = "demo";
  std::string issuer = "eudiplo-service";

  int sources = 8;
  int control_connections = 64;
  int connect_window = 256;  // handshakes (connect .. first event) in flight while opening
  int session_ttl = 3600;
  double setup_timeout = 240;

  int idle_streams = 15000;
  double idle_seconds = 30;
  double heartbeat_seconds = 15;  // what the server was started with (for the expected count)

  double admission_seconds = 10;
  int admission_concurrency = 64;
  int admission_sessions = 1000;
  int admission_tokens = 50000;  // distinct tokens signed up front
  int token_reuse = 1;           // connections per token
  int reconnect_reuse = 100;     // connections per token in the *_reuse variants

  int burst_sessions = 10000;
  double burst_timeout = 150;

  int sustained_streams = 10000;
  double sustained_rate = 2000;
  double sustained_seconds = 30;
  double drain_timeout = 20;
  std::string latency_trace;  // sustained: CSV of send time (ms since start), latency (us)

  double churn_seconds = 60;
  double churn_warmup = 5;
  int churn_concurrency = 128;
  int churn_sessions = 1000;
  double churn_sample_every = 5;
};

// Empty on success, else the message for the user.
std::string parse_options(int argc, char** argv, Options& options);
std::string usage();

}  // namespace eudiplo_sse::bench
