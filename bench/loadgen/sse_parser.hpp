// Incremental event-stream parser following the WHATWG HTML "server-sent events" section:
// lines end in CRLF, LF or CR (a CR at the end of one read and an LF at the start of the next
// are one line end), `:` starts a comment, a blank line dispatches, an event with an empty
// data buffer is not dispatched, a single space after the colon is dropped.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace eudiplo_sse::bench {

class SseParser {
 public:
  class Handler {
   public:
    // `type` is empty when no `event:` field was given (that is, "message").
    virtual void on_sse_event(std::string_view type, std::string_view data,
                              std::string_view last_event_id) = 0;
    virtual void on_sse_comment(std::string_view text) = 0;
    virtual void on_sse_retry(std::uint64_t milliseconds) = 0;
    // A blank line that dispatched nothing (no data): a keep-alive in some servers' idiom.
    virtual void on_sse_empty_dispatch() {}

   protected:
    ~Handler() = default;
  };

  // Lines longer than this are a protocol error (the stream is then useless).
  static constexpr std::size_t kMaxLine = 64 * 1024;

  // Returns false once the stream is broken (overlong line); then stop feeding.
  bool feed(const char* data, std::size_t size, Handler& handler);
  bool saw_bom() const { return saw_bom_; }

 private:
  void process_line(std::string_view line, Handler& handler);
  void dispatch(Handler& handler);

  std::string line_;  // a line split across reads
  std::string data_;
  std::string type_;
  std::string last_id_;
  bool data_set_ = false;
  bool skip_lf_ = false;  // the previous read ended in CR
  bool started_ = false;  // the BOM check is done
  bool saw_bom_ = false;
  std::size_t bom_pending_ = 0;  // bytes of a possible BOM seen so far
};

}  // namespace eudiplo_sse::bench
