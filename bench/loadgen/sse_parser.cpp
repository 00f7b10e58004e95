#include "sse_parser.hpp"

#include <cstring>

namespace eudiplo_sse::bench {

namespace {
constexpr char kBom[] = "\xEF\xBB\xBF";
}

bool SseParser::feed(const char* data, std::size_t size, Handler& handler) {
  std::size_t i = 0;
  if (!started_) {
    // The stream may begin with one UTF-8 BOM, which is dropped; it can straddle reads.
    while (i < size && bom_pending_ < 3 && data[i] == kBom[bom_pending_]) {
      ++bom_pending_;
      ++i;
    }
    if (bom_pending_ == 3) {
      saw_bom_ = true;
      started_ = true;
    } else if (i < size) {
      started_ = true;
      if (bom_pending_ != 0) line_.assign(kBom, bom_pending_);  // not a BOM after all
    } else {
      return true;
    }
  }
  if (skip_lf_ && i < size) {
    skip_lf_ = false;
    if (data[i] == '\n') ++i;
  }
  while (i < size) {
    const char* start = data + i;
    const char* end = data + size;
    const char* eol = start;
    while (eol != end && *eol != '\n' && *eol != '\r') ++eol;
    if (eol == end) {
      if (line_.size() + static_cast<std::size_t>(end - start) > kMaxLine) return false;
      line_.append(start, end);
      return true;
    }
    if (line_.empty()) {
      process_line(std::string_view(start, static_cast<std::size_t>(eol - start)), handler);
    } else {
      if (line_.size() + static_cast<std::size_t>(eol - start) > kMaxLine) return false;
      line_.append(start, eol);
      process_line(line_, handler);
      line_.clear();
    }
    i = static_cast<std::size_t>(eol - data) + 1;
    if (*eol == '\r') {
      if (i < size) {
        if (data[i] == '\n') ++i;
      } else {
        skip_lf_ = true;
      }
    }
  }
  return true;
}

void SseParser::process_line(std::string_view line, Handler& handler) {
  if (line.empty()) {
    dispatch(handler);
    return;
  }
  if (line.front() == ':') {
    line.remove_prefix(1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    handler.on_sse_comment(line);
    return;
  }
  std::string_view name = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    name = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    data_.append(value.data(), value.size());
    data_ += '\n';
    data_set_ = true;
  } else if (name == "event") {
    type_.assign(value.data(), value.size());
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value.data(), value.size());
  } else if (name == "retry") {
    if (value.empty()) return;
    std::uint64_t ms = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return;
      ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
    }
    handler.on_sse_retry(ms);
  }
}

void SseParser::dispatch(Handler& handler) {
  if (!data_set_) {
    type_.clear();
    handler.on_sse_empty_dispatch();
    return;
  }
  std::string_view data = data_;
  if (!data.empty() && data.back() == '\n') data.remove_suffix(1);
  handler.on_sse_event(type_, data, last_id_);
  data_.clear();
  type_.clear();
  data_set_ = false;
}

}  // namespace eudiplo_sse::bench
