// One event-stream subscription: connect from a spread source address, send the GET, parse
// the response as it arrives, stamp each event on arrival and check it against the contract.
#pragma once
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "conformance.hpp"
#include "connector.hpp"
#include "http_response_parser.hpp"
#include "sse_parser.hpp"
#include "timing.hpp"

namespace eudiplo_sse::bench {

enum class Status : std::uint8_t { unknown, active, fetched, completed, expired, failed };
Status parse_status(std::string_view text);
std::string_view status_name(Status s);
inline bool is_terminal(Status s) {
  return s == Status::completed || s == Status::expired || s == Status::failed;
}

struct StreamEnv {
  asio::io_context& io;
  Connector& connector;
  std::string host;  // Host header
  Conformance& conformance;
};

class SseClient;

struct StreamEvent {
  Status status = Status::unknown;
  std::uint64_t version = 0;
  TimePoint at{};
  bool first = false;
};

enum class StreamEnd {
  closed_by_server,  // EOF after a 200 (normal after a terminal event)
  rejected,          // a status other than 200
  failed,            // connect or I/O error, or a broken response
};

class StreamObserver {
 public:
  virtual void on_stream_event(SseClient& client, const StreamEvent& event) = 0;
  virtual void on_stream_heartbeat(SseClient&) {}
  virtual void on_stream_end(SseClient& client, StreamEnd why) = 0;

 protected:
  ~StreamObserver() = default;
};

class SseClient final : public std::enable_shared_from_this<SseClient>,
                        private HttpResponseParser::Handler,
                        private SseParser::Handler {
 public:
  SseClient(StreamEnv& env, std::uint32_t tag, std::string session_id, StreamObserver* observer);

  // `target` is the request target with the query (…/events?token=…); forgotten once sent.
  void start(const std::string& target);
  // Closes without telling the observer anything more.
  void close();

  std::uint32_t tag() const { return tag_; }
  const std::string& session_id() const { return session_id_; }
  TimePoint started_at() const { return started_at_; }
  int http_status() const { return http_status_; }
  bool terminal_seen() const { return terminal_seen_; }
  bool is_open() const { return observer_ != nullptr; }
  std::uint64_t events() const { return events_; }
  std::uint64_t heartbeats() const { return heartbeats_; }
  Status last_status() const { return last_status_; }

 private:
  void read();
  void end(StreamEnd why);
  void on_http_head(const HttpResponseParser& parser) override;
  void on_http_body(const char* data, std::size_t size) override;
  void on_http_complete() override;
  void on_sse_event(std::string_view type, std::string_view data,
                    std::string_view last_event_id) override;
  void on_sse_comment(std::string_view text) override;
  void on_sse_retry(std::uint64_t milliseconds) override;

  StreamEnv& env_;
  StreamObserver* observer_;
  asio::ip::tcp::socket socket_;
  std::string session_id_;
  std::string request_;
  HttpResponseParser http_;
  SseParser sse_;
  TimePoint started_at_{};
  TimePoint read_at_{};  // arrival time of the bytes being parsed
  std::uint64_t events_ = 0;
  std::uint64_t heartbeats_ = 0;
  std::uint64_t last_version_ = 0;
  std::uint32_t tag_;
  int http_status_ = 0;
  Status last_status_ = Status::unknown;
  bool terminal_seen_ = false;
  bool retry_seen_ = false;
  bool stopped_ = false;  // the response ended or was refused: ignore the rest
  std::array<char, 1024> buf_{};
};

}  // namespace eudiplo_sse::bench
