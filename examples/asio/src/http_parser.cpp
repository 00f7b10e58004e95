#include "eudiplo_sse/asio/http_parser.hpp"

#include <utility>

namespace eudiplo_sse::http {
namespace {

constexpr std::size_t chunk_line_limit = 1024;

bool is_tchar(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Visible ASCII only: anything else in a target must be percent-encoded.
bool is_target_char(unsigned char c) noexcept { return c > 0x20 && c < 0x7f; }

bool is_field_value_char(unsigned char c) noexcept { return c == '\t' || (c >= 0x20 && c != 0x7f); }

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Decimal Content-Length; false on anything but 1..18 digits (no overflow possible).
// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), the
// value a token or a quoted-string (RFC 9112 7.1.1). Extensions are then
// ignored, but a malformed one is refused: parsers that disagree on where a chunk
// line ends are how chunked bodies get smuggled.
bool valid_chunk_extensions(std::string_view s) noexcept {
  auto skip_bws = [&s] {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  };
  auto take_token = [&s] {
    std::size_t n = 0;
    while (n < s.size() && is_tchar(static_cast<unsigned char>(s[n]))) ++n;
    s.remove_prefix(n);
    return n > 0;
  };
  while (!s.empty()) {
    skip_bws();
    if (s.empty() || s.front() != ';') return false;
    s.remove_prefix(1);
    skip_bws();
    if (!take_token()) return false;
    skip_bws();
    if (s.empty() || s.front() != '=') continue;
    s.remove_prefix(1);
    skip_bws();
    if (!s.empty() && s.front() == '"') {
      s.remove_prefix(1);
      bool closed = false;
      while (!s.empty() && !closed) {
        const auto c = static_cast<unsigned char>(s.front());
        s.remove_prefix(1);
        if (c == '"') {
          closed = true;
        } else if (c == '\\') {
          if (s.empty() || !is_field_value_char(static_cast<unsigned char>(s.front())))
            return false;
          s.remove_prefix(1);
        } else if (!is_field_value_char(c)) {
          return false;
        }
      }
      if (!closed) return false;
    } else if (!take_token()) {
      return false;
    }
  }
  return true;
}

bool parse_length(std::string_view s, std::size_t& out) noexcept {
  if (s.empty() || s.size() > 18) return false;
  std::size_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  out = v;
  return true;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

HttpParser::Result HttpParser::feed(std::string_view bytes) {
  if (state_ == State::failed) return Result::error;
  if (consumed_ > 0 && state_ != State::done) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
  return parse();
}

HttpParser::Result HttpParser::fail(int status) {
  state_ = State::failed;
  error_status_ = status;
  expects_continue_ = false;
  buffer_.clear();
  consumed_ = 0;
  return Result::error;
}

// Moves what has arrived of the current body (or chunk) into the request; true
// once all of it is there. Shared by plain and chunked bodies.
bool HttpParser::take_body_bytes() {
  const std::size_t available = buffer_.size() - consumed_;
  const std::size_t take = available < body_remaining_ ? available : body_remaining_;
  request_.body.append(buffer_, consumed_, take);
  consumed_ += take;
  body_remaining_ -= take;
  if (take > 0) expects_continue_ = false;
  return body_remaining_ == 0;
}

bool HttpParser::next_line(std::string_view& line, std::size_t limit, bool& too_long) {
  too_long = false;
  const auto lf = buffer_.find('\n', consumed_);
  if (lf == std::string::npos) {
    // A line may end with CR LF, so allow two bytes beyond the limit.
    too_long = buffer_.size() - consumed_ > limit + 2;
    return false;
  }
  std::string_view l(buffer_.data() + consumed_, lf - consumed_);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  if (l.size() > limit) {
    too_long = true;
    return false;
  }
  line = l;
  consumed_ = lf + 1;
  return true;
}

HttpParser::Result HttpParser::parse() {
  for (;;) {
    std::string_view line;
    bool too_long = false;
    switch (state_) {
      case State::failed: return Result::error;
      case State::done: return Result::complete;

      case State::request_line: {
        if (!next_line(line, limits_.request_line, too_long)) {
          return too_long ? fail(414) : Result::need_more;
        }
        // Robustness (RFC 9112 2.2): ignore empty lines before a request line.
        if (line.empty()) continue;
        if (const auto r = parse_request_line(line); r != Result::need_more) return r;
        state_ = State::fields;
        break;
      }

      case State::fields:
      case State::trailer: {
        const std::size_t left =
            limits_.header_section > header_bytes_ ? limits_.header_section - header_bytes_ : 0;
        if (!next_line(line, left, too_long)) {
          return too_long ? fail(431) : Result::need_more;
        }
        header_bytes_ += line.size() + 2;
        if (header_bytes_ > limits_.header_section) return fail(431);
        if (state_ == State::trailer) {
          // Trailer fields are refused: nothing here uses them, and a field that
          // arrives after the body is one that a proxy in front may not have seen.
          if (!line.empty()) return fail(400);
          state_ = State::done;
          break;
        }
        if (line.empty()) {
          if (const auto r = end_of_fields(); r != Result::need_more) return r;
          break;
        }
        if (const auto r = parse_field(line); r != Result::need_more) return r;
        break;
      }

      case State::body: {
        if (!take_body_bytes()) return Result::need_more;
        state_ = State::done;
        break;
      }

      case State::chunk_size: {
        if (!next_line(line, chunk_line_limit, too_long)) {
          return too_long ? fail(400) : Result::need_more;
        }
        if (const auto r = parse_chunk_size(line); r != Result::need_more) return r;
        break;
      }

      case State::chunk_data: {
        if (!take_body_bytes()) return Result::need_more;
        state_ = State::chunk_data_end;
        break;
      }

      case State::chunk_data_end: {
        if (!next_line(line, 0, too_long)) return too_long ? fail(400) : Result::need_more;
        if (!line.empty()) return fail(400);
        state_ = State::chunk_size;
        break;
      }
    }
  }
}

HttpParser::Result HttpParser::parse_request_line(std::string_view line) {
  const auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail(400);
  const auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail(400);
  const auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (!is_token(method) || target.empty()) return fail(400);
  for (const char c : target) {
    if (!is_target_char(static_cast<unsigned char>(c))) return fail(400);
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return fail(400);
  }
  if (version[5] != '1') return fail(505);
  // Absolute form (a request meant for a proxy): keep only path and query.
  if (target.front() != '/' && target != "*") {
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return fail(400);
    const auto path = target.find('/', scheme_end + 3);
    const auto query = target.find('?', scheme_end + 3);
    if (path != std::string_view::npos && (query == std::string_view::npos || path < query)) {
      target.remove_prefix(path);
      request_.target.assign(target.data(), target.size());
    } else if (query != std::string_view::npos) {
      request_.target = "/";
      request_.target.append(target.substr(query));
    } else {
      request_.target = "/";
    }
  } else {
    request_.target.assign(target.data(), target.size());
  }
  request_.method.assign(method.data(), method.size());
  request_.version_minor = version[7] - '0';
  return Result::need_more;
}

HttpParser::Result HttpParser::parse_field(std::string_view line) {
  // Obsolete line folding is refused (RFC 9112 5.2 allows rejecting it with 400).
  if (line.front() == ' ' || line.front() == '\t') return fail(400);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return fail(400);
  const auto name = line.substr(0, colon);
  if (!is_token(name)) return fail(400);
  const auto value = trim_ows(line.substr(colon + 1));
  for (const char c : value) {
    if (!is_field_value_char(static_cast<unsigned char>(c))) return fail(400);
  }
  if (request_.fields.size() >= limits_.field_count) return fail(431);
  request_.fields.push_back({std::string(name), std::string(value)});
  return Result::need_more;
}

HttpParser::Result HttpParser::end_of_fields() {
  // RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with more
  // than one, is answered 400.
  std::size_t hosts = 0;
  for (const auto& f : request_.fields) hosts += iequals(f.name, "Host") ? 1 : 0;
  if (hosts > 1 || (hosts == 0 && request_.version_minor >= 1)) return fail(400);

  const auto connection = request_.field("Connection");
  if (request_.version_minor == 0) {
    request_.keep_alive = has_token(connection, "keep-alive");
  } else {
    request_.keep_alive = !has_token(connection, "close");
  }

  bool have_length = false;
  std::size_t length = 0;
  bool chunked = false;
  for (const auto& f : request_.fields) {
    if (iequals(f.name, "Content-Length")) {
      std::size_t v = 0;
      if (!parse_length(f.value, v)) return fail(400);
      if (have_length && v != length) return fail(400);
      have_length = true;
      length = v;
    } else if (iequals(f.name, "Transfer-Encoding")) {
      if (chunked) return fail(400);  // chunked applied twice, or split over fields
      if (!iequals(trim_ows(f.value), "chunked")) {
        // Only chunked alone is supported; a list ending in chunked is rare and
        // would need the codings before it, which this server does not have.
        return fail(501);
      }
      chunked = true;
    }
  }
  // Both at once is the classic request-smuggling shape: refuse it.
  if (chunked && have_length) return fail(400);
  if (chunked && request_.version_minor == 0) return fail(400);

  const bool expect = has_token(request_.field("Expect"), "100-continue");
  if (chunked) {
    expects_continue_ = expect && buffered() == 0;
    body_remaining_ = 0;
    state_ = State::chunk_size;
    return Result::need_more;
  }
  if (length > limits_.body) return fail(413);
  if (length == 0) {
    state_ = State::done;
    return Result::need_more;
  }
  request_.body.reserve(length);
  body_remaining_ = length;
  expects_continue_ = expect && buffered() == 0;
  state_ = State::body;
  return Result::need_more;
}

HttpParser::Result HttpParser::parse_chunk_size(std::string_view line) {
  const auto ext = line.find(';');
  // RFC 9112 7.1: 1*HEXDIG, then BWS before any extension; nothing else.
  auto digits = line.substr(0, ext);
  while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) {
    if (ext == std::string_view::npos) return fail(400);  // trailing space without extension
    digits.remove_suffix(1);
  }
  if (digits.empty()) return fail(400);
  if (ext != std::string_view::npos && !valid_chunk_extensions(line.substr(ext))) return fail(400);
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  // Eight hex digits already exceed any body limit worth having.
  if (digits.size() > 8) return fail(413);
  std::size_t size = 0;
  for (const char c : digits) {
    const int v = hex_value(c);
    if (v < 0) return fail(400);
    size = size * 16 + static_cast<std::size_t>(v);
  }
  if (size == 0) {
    state_ = State::trailer;
    return Result::need_more;
  }
  if (request_.body.size() + size > limits_.body) return fail(413);
  body_remaining_ = size;
  state_ = State::chunk_data;
  return Result::need_more;
}

HttpRequest HttpParser::take_request() {
  HttpRequest out = std::move(request_);
  request_ = HttpRequest{};
  state_ = State::request_line;
  header_bytes_ = 0;
  body_remaining_ = 0;
  expects_continue_ = false;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  return out;
}

void HttpParser::release_memory() {
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  if (buffer_.empty()) std::string().swap(buffer_);
}

}  // namespace eudiplo_sse::http
