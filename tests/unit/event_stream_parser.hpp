// A small event-stream parser that follows the WHATWG HTML "server-sent events"
// parsing rules (section "Parsing an event stream" and "Interpreting an event
// stream"), written independently of the library so the tests can check that
// what the library frames is what a conforming client reads back.
//
// It works on bytes fed in arbitrary chunks: a CR at the end of one chunk and the
// LF at the start of the next are one line end, and a BOM split over chunks is
// still recognised. Comments are recorded (a client ignores them) so tests can
// see keep-alives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eudiplo_sse::test {

struct ParsedEvent {
  std::string type;           // "message" when no event field was given
  std::string data;           // data lines joined with LF
  std::string last_event_id;  // the last event ID string at dispatch
};

class EventStreamParser {
 public:
  void feed(std::string_view bytes) {
    for (char c : bytes) feed_byte(c);
  }

  // Everything in `bytes` in one call, as a fresh parser would see it.
  static EventStreamParser parse(std::string_view bytes) {
    EventStreamParser p;
    p.feed(bytes);
    return p;
  }

  const std::vector<ParsedEvent>& events() const { return events_; }
  // Comment lines, with the text after the colon (one leading space removed).
  const std::vector<std::string>& comments() const { return comments_; }
  // The reconnection time, once a valid retry field was seen.
  std::optional<std::uint64_t> retry() const { return retry_; }
  std::size_t retry_fields() const { return retry_fields_; }
  const std::string& last_event_id() const { return last_event_id_; }
  std::size_t lines() const { return lines_; }

  // True when the stream ended mid-event: at end of stream a conforming client
  // discards this, so a well-framed stream never leaves anything pending.
  bool has_pending() const {
    return !line_.empty() || !data_.empty() || !event_type_.empty() || !bom_prefix_.empty();
  }

 private:
  void feed_byte(char c) {
    if (!bom_done_) {
      // The stream may start with one U+FEFF (EF BB BF), which is dropped.
      static constexpr char bom[] = "\xEF\xBB\xBF";
      bom_prefix_.push_back(c);
      if (bom_prefix_.size() <= 3 && bom_prefix_.back() == bom[bom_prefix_.size() - 1]) {
        if (bom_prefix_.size() < 3) return;
        bom_prefix_.clear();
        bom_done_ = true;
        return;
      }
      bom_done_ = true;
      std::string held;
      held.swap(bom_prefix_);
      for (char h : held) scan(h);
      return;
    }
    scan(c);
  }

  void scan(char c) {
    if (c == '\n') {
      if (after_cr_) {
        after_cr_ = false;  // the LF of a CRLF pair
        return;
      }
      end_line();
      return;
    }
    after_cr_ = false;
    if (c == '\r') {
      end_line();
      after_cr_ = true;
      return;
    }
    line_.push_back(c);
  }

  void end_line() {
    ++lines_;
    std::string line;
    line.swap(line_);
    process_line(line);
  }

  void process_line(std::string_view line) {
    if (line.empty()) {
      dispatch();
      return;
    }
    if (line.front() == ':') {
      std::string_view text = line.substr(1);
      if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
      comments_.emplace_back(text);
      return;
    }
    std::string_view field = line;
    std::string_view value;
    if (auto colon = line.find(':'); colon != std::string_view::npos) {
      field = line.substr(0, colon);
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    process_field(field, value);
  }

  void process_field(std::string_view field, std::string_view value) {
    if (field == "event") {
      event_type_ = std::string(value);
    } else if (field == "data") {
      data_.append(value);
      data_.push_back('\n');
    } else if (field == "id") {
      if (value.find('\0') == std::string_view::npos) last_event_id_buffer_ = std::string(value);
    } else if (field == "retry") {
      ++retry_fields_;
      if (value.empty()) return;
      std::uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return;
        n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + static_cast<unsigned>(c - '0');
      }
      retry_ = n;
    }
    // Any other field is ignored.
  }

  void dispatch() {
    last_event_id_ = last_event_id_buffer_;
    if (data_.empty()) {
      event_type_.clear();
      return;
    }
    if (data_.back() == '\n') data_.pop_back();
    events_.push_back(
        {event_type_.empty() ? std::string("message") : event_type_, data_, last_event_id_});
    data_.clear();
    event_type_.clear();
  }

  bool bom_done_ = false;
  std::string bom_prefix_;
  bool after_cr_ = false;
  std::string line_;
  std::size_t lines_ = 0;

  std::string data_;
  std::string event_type_;
  std::string last_event_id_buffer_;
  std::string last_event_id_;
  std::optional<std::uint64_t> retry_;
  std::size_t retry_fields_ = 0;

  std::vector<ParsedEvent> events_;
  std::vector<std::string> comments_;
};

}  // namespace eudiplo_sse::test
