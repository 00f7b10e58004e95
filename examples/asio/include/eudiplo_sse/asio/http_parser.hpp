// Incremental HTTP/1.x request parser with hard limits.
//
// Bytes go in as they arrive; a request comes out once complete. Anything the
// parser refuses has an HTTP status to answer with before closing the connection:
// 400 (malformed), 413 (body), 414 (request line), 431 (header section),
// 501 (transfer coding other than chunked), 505 (not HTTP/1.x). Among the 400s:
// an HTTP/1.1 request without Host or any request with two (RFC 9112 3.2), a
// malformed chunk extension, and any trailer field (trailers are refused).
//
// The parser keeps bytes only while a request is incomplete, plus whatever a
// client pipelined after it; release_memory() drops the capacity once empty, so
// an idle connection or an open stream holds no read buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "eudiplo_sse/asio/http_request.hpp"

namespace eudiplo_sse::http {

struct HttpLimits {
  std::size_t request_line = 8 * 1024;
  std::size_t header_section = 32 * 1024;
  std::size_t body = 64 * 1024;
  std::size_t field_count = 100;
};

class HttpParser {
 public:
  enum class Result {
    need_more,  // feed more bytes
    complete,   // take_request()
    error,      // answer error_status() and close
  };

  explicit HttpParser(HttpLimits limits = {}) : limits_(limits) {}

  // Appends `bytes` and parses as far as possible.
  Result feed(std::string_view bytes);
  // Parses what is already buffered (the next pipelined request).
  Result parse();

  // The complete request; the parser is then ready for the next one.
  HttpRequest take_request();

  int error_status() const noexcept { return error_status_; }

  // True once the head of a request announcing `Expect: 100-continue` is parsed
  // and its body has not arrived yet; the caller answers "100 Continue" once.
  bool expects_continue() const noexcept { return expects_continue_; }
  void continue_sent() noexcept { expects_continue_ = false; }

  // Bytes buffered and not yet consumed by a returned request.
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

  // True once any byte of the next request has arrived (parsed or not): the
  // server then times the request rather than the idle connection.
  bool started() const noexcept { return state_ != State::request_line || buffered() > 0; }

  // Frees the buffer when nothing is pending.
  void release_memory();

 private:
  enum class State {
    request_line,
    fields,
    body,
    chunk_size,
    chunk_data,
    chunk_data_end,
    trailer,
    done,
    failed
  };

  Result fail(int status);
  Result parse_request_line(std::string_view line);
  Result parse_field(std::string_view line);
  Result end_of_fields();
  Result parse_chunk_size(std::string_view line);
  // Next line starting at consumed_ (without CR LF), or false if incomplete.
  bool next_line(std::string_view& line, std::size_t limit, bool& too_long);
  bool take_body_bytes();

  HttpLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  State state_ = State::request_line;
  HttpRequest request_;
  std::size_t header_bytes_ = 0;
  std::size_t body_remaining_ = 0;
  bool expects_continue_ = false;
  int error_status_ = 0;
};

}  // namespace eudiplo_sse::http
