#include "sse_client.hpp"

#include <asio/post.hpp>
#include <asio/write.hpp>

#include <algorithm>

namespace eudiplo_sse::bench {

namespace {

bool timestamp_shape(std::string_view ts) {
  // 2026-01-15T12:00:00.000Z
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (ts.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (kShape[i] == 'd' ? (ts[i] < '0' || ts[i] > '9') : ts[i] != kShape[i]) return false;
  }
  return true;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

Status parse_status(std::string_view text) {
  if (text == "active") return Status::active;
  if (text == "fetched") return Status::fetched;
  if (text == "completed") return Status::completed;
  if (text == "expired") return Status::expired;
  if (text == "failed") return Status::failed;
  return Status::unknown;
}

std::string_view status_name(Status s) {
  switch (s) {
    case Status::active: return "active";
    case Status::fetched: return "fetched";
    case Status::completed: return "completed";
    case Status::expired: return "expired";
    case Status::failed: return "failed";
    case Status::unknown: break;
  }
  return "unknown";
}

SseClient::SseClient(StreamEnv& env, std::uint32_t tag, std::string session_id,
                     StreamObserver* observer)
    : env_(env),
      observer_(observer),
      socket_(env.io),
      session_id_(std::move(session_id)),
      tag_(tag) {}

void SseClient::start(const std::string& target) {
  started_at_ = Clock::now();
  request_.reserve(target.size() + env_.host.size() + 96);
  request_ = "GET ";
  request_ += target;
  request_ += " HTTP/1.1\r\nHost: ";
  request_ += env_.host;
  request_ += "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
  if (std::error_code ec = env_.connector.prepare(socket_)) {
    // Not from inside start(): the caller may still be setting up around this client.
    asio::post(env_.io, [self = shared_from_this()] { self->end(StreamEnd::failed); });
    return;
  }
  socket_.async_connect(env_.connector.server(), [self = shared_from_this()](std::error_code ec) {
    if (!self->observer_) return;
    if (ec) {
      self->end(StreamEnd::failed);
      return;
    }
    asio::async_write(self->socket_, asio::buffer(self->request_),
                      [self](std::error_code ec, std::size_t) {
                        std::string().swap(self->request_);
                        if (ec && self->observer_) self->end(StreamEnd::failed);
                      });
    self->read();
  });
}

void SseClient::close() {
  observer_ = nullptr;
  std::error_code ignored;
  socket_.close(ignored);
}

void SseClient::end(StreamEnd why) {
  if (!observer_) return;
  StreamObserver* observer = observer_;
  observer_ = nullptr;
  std::error_code ignored;
  socket_.close(ignored);
  auto keep = shared_from_this();
  observer->on_stream_end(*this, why);
}

void SseClient::read() {
  socket_.async_read_some(
      asio::buffer(buf_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
        if (!self->observer_) return;
        if (ec) {
          if (self->http_.head_done() && self->http_status_ == 200) {
            self->http_.finish(*self);
            self->end(StreamEnd::closed_by_server);
          } else {
            self->end(StreamEnd::failed);
          }
          return;
        }
        self->read_at_ = Clock::now();
        self->http_.feed(self->buf_.data(), n, *self);
        if (!self->observer_) return;
        if (self->http_.failed()) {
          self->env_.conformance.note("http_response_unparsable");
          self->end(StreamEnd::failed);
          return;
        }
        if (self->stopped_) {
          self->end(self->http_status_ == 200 ? StreamEnd::closed_by_server : StreamEnd::rejected);
          return;
        }
        self->read();
      });
}

void SseClient::on_http_head(const HttpResponseParser& p) {
  http_status_ = p.status();
  if (http_status_ != 200) {
    stopped_ = true;
    return;
  }
  Conformance& c = env_.conformance;
  std::string_view type = p.header("content-type");
  if (type.substr(0, 17) != "text/event-stream") c.note("stream_header_content_type", type);
  std::string_view cache = p.header("cache-control");
  if (!contains(cache, "no-cache") || !contains(cache, "no-store") || !contains(cache, "private")) {
    c.note("stream_header_cache_control", cache);
  }
  if (p.header("x-accel-buffering") != "no") {
    c.note("stream_header_x_accel_buffering", p.header("x-accel-buffering"));
  }
  if (p.has_content_length()) c.note("stream_header_content_length", p.header("content-length"));
}

void SseClient::on_http_body(const char* data, std::size_t size) {
  if (stopped_ || !observer_) return;
  if (!sse_.feed(data, size, *this)) {
    env_.conformance.note("sse_line_too_long");
    stopped_ = true;
  }
}

void SseClient::on_http_complete() { stopped_ = true; }

void SseClient::on_sse_event(std::string_view type, std::string_view data,
                             std::string_view last_event_id) {
  if (!observer_) return;
  Conformance& c = env_.conformance;
  if (!type.empty() && type != "message") c.note("event_type_not_message", type);
  if (events_ == 0 && !retry_seen_) c.note("no_retry_before_first_event", data);
  if (terminal_seen_) c.note("event_after_terminal", data);
  if (sse_.saw_bom()) c.note("stream_starts_with_bom");

  StreamEvent event;
  event.at = read_at_;
  event.first = events_ == 0;
  std::uint64_t version = 0;
  bool numeric = !last_event_id.empty();
  for (char ch : last_event_id) {
    if (ch < '0' || ch > '9') {
      numeric = false;
      break;
    }
    version = version * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  if (!numeric) {
    c.note("event_id_not_a_version", last_event_id);
  } else if (version <= last_version_) {
    c.note("event_version_not_increasing", last_event_id);
  }
  event.version = version;
  last_version_ = std::max(last_version_, version);

  // Exactly {"id":"<session>","status":"<status>","updatedAt":"<ISO-8601 ms Z>"}.
  std::string_view rest = data;
  auto take = [&rest](std::string_view literal) {
    if (rest.substr(0, literal.size()) != literal) return false;
    rest.remove_prefix(literal.size());
    return true;
  };
  bool exact = take(R"({"id":")") && take(session_id_) && take(R"(","status":")");
  std::string_view status_text;
  if (exact) {
    auto quote = rest.find('"');
    status_text = rest.substr(0, quote);
    rest.remove_prefix(quote == std::string_view::npos ? rest.size() : quote);
    exact = take(R"(","updatedAt":")") && rest.size() == 26 &&
            timestamp_shape(rest.substr(0, 24)) && rest.substr(24) == R"("})";
  }
  if (!exact) {
    c.note("event_data_not_exact", data);
    auto at = data.find(R"("status":")");
    if (at != std::string_view::npos) {
      status_text = data.substr(at + 10);
      status_text = status_text.substr(0, status_text.find('"'));
    }
  }
  event.status = parse_status(status_text);
  if (event.status == Status::unknown) c.note("event_status_unknown", data);
  ++events_;
  last_status_ = event.status;
  if (is_terminal(event.status)) terminal_seen_ = true;
  observer_->on_stream_event(*this, event);
}

void SseClient::on_sse_comment(std::string_view text) {
  if (!observer_) return;
  ++heartbeats_;
  if (text != "keep-alive") env_.conformance.note("heartbeat_comment_not_keep_alive", text);
  observer_->on_stream_heartbeat(*this);
}

void SseClient::on_sse_retry(std::uint64_t milliseconds) {
  retry_seen_ = true;
  if (milliseconds != 3000) {
    env_.conformance.note("retry_not_3000", std::to_string(milliseconds));
  }
}

}  // namespace eudiplo_sse::bench
