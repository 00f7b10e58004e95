#include "http_response_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace eudiplo_sse::bench {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

void HttpResponseParser::reset() {
  state_ = State::head;
  head_.clear();
  headers_.clear();
  status_ = 0;
  framing_ = Framing::none;
  keep_alive_ = true;
  has_content_length_ = false;
  remaining_ = 0;
  line_.clear();
}

std::string_view HttpResponseParser::header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool HttpResponseParser::parse_head(Handler& handler) {
  std::string_view text(head_);
  auto line_end = text.find("\r\n");
  std::string_view status_line = text.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return false;
  auto space = status_line.find(' ');
  if (space == std::string_view::npos || space + 4 > status_line.size()) return false;
  status_ = 0;
  for (std::size_t i = space + 1; i < space + 4; ++i) {
    char c = status_line[i];
    if (c < '0' || c > '9') return false;
    status_ = status_ * 10 + (c - '0');
  }
  keep_alive_ = status_line.substr(0, 8) != "HTTP/1.0";
  std::size_t pos = line_end + 2;
  while (pos < text.size()) {
    auto end = text.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    std::string_view line = text.substr(pos, end - pos);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    headers_.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
    pos = end + 2;
  }
  std::string_view connection = header("connection");
  if (icontains(connection, "close")) keep_alive_ = false;
  if (icontains(connection, "keep-alive")) keep_alive_ = true;
  std::string_view te = header("transfer-encoding");
  std::string_view cl = header("content-length");
  has_content_length_ = !cl.empty();
  if (status_ == 204 || status_ == 304 || (status_ >= 100 && status_ < 200)) {
    framing_ = Framing::none;
  } else if (icontains(te, "chunked")) {
    framing_ = Framing::chunked;
  } else if (has_content_length_) {
    framing_ = Framing::length;
    remaining_ = 0;
    for (char c : cl) {
      if (c < '0' || c > '9') return false;
      remaining_ = remaining_ * 10 + static_cast<std::uint64_t>(c - '0');
    }
  } else {
    framing_ = Framing::until_close;
    keep_alive_ = false;
  }
  handler.on_http_head(*this);
  switch (framing_) {
    case Framing::none: state_ = State::done; break;
    case Framing::length: state_ = remaining_ == 0 ? State::done : State::body_length; break;
    case Framing::chunked: state_ = State::chunk_size; break;
    case Framing::until_close: state_ = State::body_eof; break;
  }
  if (state_ == State::done) handler.on_http_complete();
  return true;
}

std::size_t HttpResponseParser::feed(const char* data, std::size_t size, Handler& handler) {
  std::size_t i = 0;
  while (i < size) {
    switch (state_) {
      case State::head: {
        // Search only the new bytes (and the three before them) for the blank line.
        std::size_t from = head_.size() >= 3 ? head_.size() - 3 : 0;
        std::size_t take = std::min(size - i, kMaxHead + 4 - head_.size());
        head_.append(data + i, take);
        auto end = head_.find("\r\n\r\n", from);
        if (end == std::string::npos) {
          if (head_.size() > kMaxHead) return fail();
          i += take;
          break;
        }
        std::size_t used = end + 4 - (head_.size() - take);
        head_.resize(end + 4);
        i += used;
        if (!parse_head(handler)) return fail();
        break;
      }
      case State::body_length: {
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(size - i)));
        handler.on_http_body(data + i, n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = State::done;
          handler.on_http_complete();
        }
        break;
      }
      case State::chunk_size:
      case State::trailer:
      case State::chunk_data_end: {
        auto* nl = static_cast<const char*>(std::memchr(data + i, '\n', size - i));
        std::size_t upto = nl ? static_cast<std::size_t>(nl - data) : size;
        if (line_.size() + (upto - i) > 4096) return fail();
        line_.append(data + i, upto - i);
        i = upto;
        if (!nl) break;
        ++i;  // the LF
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (state_ == State::chunk_data_end) {
          if (!line_.empty()) return fail();
          state_ = State::chunk_size;
        } else if (state_ == State::trailer) {
          if (line_.empty()) {
            state_ = State::done;
            handler.on_http_complete();
          }
        } else {
          std::uint64_t n = 0;
          std::size_t digits = 0;
          for (char c : line_) {
            int v;
            if (c >= '0' && c <= '9')
              v = c - '0';
            else if (c >= 'a' && c <= 'f')
              v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
              v = c - 'A' + 10;
            else
              break;  // chunk extensions
            if (++digits > 15) return fail();
            n = n * 16 + static_cast<std::uint64_t>(v);
          }
          if (digits == 0) return fail();
          remaining_ = n;
          state_ = n == 0 ? State::trailer : State::chunk_data;
        }
        line_.clear();
        break;
      }
      case State::chunk_data: {
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(size - i)));
        handler.on_http_body(data + i, n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::chunk_data_end;
        break;
      }
      case State::body_eof:
        handler.on_http_body(data + i, size - i);
        i = size;
        break;
      case State::done:
      case State::failed: return i;
    }
    if (state_ == State::done || state_ == State::failed) return i;
  }
  return i;
}

bool HttpResponseParser::finish(Handler& handler) {
  if (state_ == State::body_eof) {
    state_ = State::done;
    handler.on_http_complete();
    return true;
  }
  return state_ == State::done;
}

}  // namespace eudiplo_sse::bench
