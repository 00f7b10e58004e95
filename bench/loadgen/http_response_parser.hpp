// Incremental HTTP/1.1 response parser for the load generator: the head, then a body framed
// by Content-Length, chunked transfer coding, or the end of the connection. Body bytes are
// handed out as they arrive, so an event stream is parsed while it flows.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eudiplo_sse::bench {

class HttpResponseParser {
 public:
  class Handler {
   public:
    virtual void on_http_head(const HttpResponseParser& parser) = 0;
    virtual void on_http_body(const char* data, std::size_t size) = 0;
    virtual void on_http_complete() = 0;

   protected:
    ~Handler() = default;
  };

  enum class Framing { none, length, chunked, until_close };

  static constexpr std::size_t kMaxHead = 16 * 1024;

  // Consumes bytes of one response and returns how many it used: fewer than `size` only once
  // the response is complete (the rest belongs to the next one; call reset() first) or on a
  // protocol error (failed() is then true).
  std::size_t feed(const char* data, std::size_t size, Handler& handler);
  // The peer closed the connection: completes an until-close body. False when the response
  // was cut short.
  bool finish(Handler& handler);
  void reset();

  bool failed() const { return state_ == State::failed; }
  bool complete() const { return state_ == State::done; }
  bool head_done() const { return state_ != State::head && state_ != State::failed; }
  int status() const { return status_; }
  Framing framing() const { return framing_; }
  bool keep_alive() const { return keep_alive_; }
  bool has_content_length() const { return has_content_length_; }
  // First header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;

 private:
  enum class State {
    head,
    body_length,
    chunk_size,
    chunk_data,
    chunk_data_end,
    trailer,
    body_eof,
    done,
    failed
  };

  bool parse_head(Handler& handler);
  std::size_t fail() {
    state_ = State::failed;
    return 0;
  }

  State state_ = State::head;
  std::string head_;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;
  int status_ = 0;
  Framing framing_ = Framing::none;
  bool keep_alive_ = true;
  bool has_content_length_ = false;
  std::uint64_t remaining_ = 0;
  std::string line_;  // chunk-size or trailer line split across reads
};

}  // namespace eudiplo_sse::bench
