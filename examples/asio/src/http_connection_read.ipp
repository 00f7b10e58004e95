// HttpConnection<Stream>, the request side: reading requests, handing them to the
// handler, starting responses and streams.
//
// Part of http_connection.cpp, which includes it inside namespace
// eudiplo_sse::http::detail and instantiates the template once for each stream
// type; not a header of its own.

// ---- request side -----------------------------------------------------------

template <typename Stream>
void HttpConnection<Stream>::arm_read_locked() {
  if constexpr (!is_tls) {
    // Wait for readability instead of reading into a buffer: a connection that
    // waits (idle keep-alive, open stream) holds no read buffer at all.
    socket().async_wait(asio::socket_base::wait_read,
                        [self = self()](const std::error_code& ec) { self->on_readable(ec); });
  } else {
    stream_.async_read_some(
        asio::buffer(tls_buffer_.get(), tls_read_chunk),
        [self = self()](const std::error_code& ec, std::size_t n) { self->on_tls_read(ec, n); });
  }
}

template <typename Stream>
void HttpConnection<Stream>::on_readable(const std::error_code& ec) {
  Lock lock(mutex_);
  if (phase_ == Phase::closed) return;
  if (ec) {
    hard_close_locked();
    return;
  }
  if (phase_ == Phase::streaming) {
    on_stream_readable_locked(lock);
    return;
  }
  if (phase_ != Phase::reading) return;
  char buffer[read_chunk];
  std::error_code rec;
  const std::size_t n = socket().read_some(asio::buffer(buffer), rec);
  if (would_block(rec)) {
    arm_read_locked();
    return;
  }
  if (rec) {
    // EOF or reset: the client is done with this connection.
    hard_close_locked();
    return;
  }
  const auto result = parser_->feed(std::string_view(buffer, n));
  lock.unlock();
  handle_input(result);
}

template <typename Stream>
void HttpConnection<Stream>::on_tls_read(const std::error_code& ec, std::size_t n) {
  Lock lock(mutex_);
  if (phase_ == Phase::closed) return;
  if (ec) {
    hard_close_locked();
    return;
  }
  if (phase_ == Phase::streaming) {
    arm_read_locked();  // bytes after the request of a stream are ignored
    return;
  }
  if (phase_ != Phase::reading) return;
  const auto result = parser_->feed(std::string_view(tls_buffer_.get(), n));
  lock.unlock();
  handle_input(result);
}

template <typename Stream>
void HttpConnection<Stream>::on_stream_readable_locked(Lock&) {
  // An SSE client sends nothing after its request; readability means it left
  // (EOF, reset) or, rarely, sent bytes that are discarded.
  char buffer[512];
  for (int i = 0; i < 8; ++i) {
    std::error_code ec;
    socket().read_some(asio::buffer(buffer), ec);
    if (would_block(ec)) break;
    if (ec) {
      hard_close_locked();
      return;
    }
  }
  arm_read_locked();
}

template <typename Stream>
void HttpConnection<Stream>::handle_input(HttpParser::Result result) {
  for (;;) {
    if (result == HttpParser::Result::need_more) {
      Lock lock(mutex_);
      if (phase_ != Phase::reading) return;
      // The first byte of a request on an idle connection starts its clock.
      if (wait_ == Wait::idle && parser_->started()) {
        wait_locked(Wait::request, core_->options.request_timeout);
      }
      if (parser_->expects_continue()) {
        parser_->continue_sent();
        enqueue_locked(continue_bytes());
        flush_locked();
        if (phase_ == Phase::closed) return;
      }
      arm_read_locked();
      return;
    }
    if (result == HttpParser::Result::error) {
      answer_parse_error(parser_->error_status());
      return;
    }
    HttpRequest request = parser_->take_request();
    if (!serve(request)) return;
    result = parser_->parse();
  }
}

template <typename Stream>
bool HttpConnection<Stream>::serve(HttpRequest& request) {
  RequestLog log;
  {
    Lock lock(mutex_);
    if (phase_ != Phase::reading) return false;
    phase_ = Phase::responding;
    no_wait_locked();
    keep_alive_ = request.keep_alive && !core_->stopping.load(std::memory_order_relaxed);
    head_request_ = request.method == "HEAD";
    corked_ = true;
    if (core_->options.access_log) log = request_log_locked(request);
  }

  Exchange exchange(*this, request, log);
  try {
    core_->handler(exchange);
  } catch (...) {
    // Answered below if the handler had not answered yet.
  }
  if (!exchange.responded()) {
    try {
      exchange.respond(HttpResponse::error(500, "internal error"));
    } catch (...) {
    }
  }

  bool next = false;
  {
    Lock lock(mutex_);
    if (awaiting_) {
      // Deferred and not answered yet: wait for it without holding this thread.
      park_locked();
      return false;
    }
    next = finish_answer_locked();
  }
  // A deferred answer is logged by its Deferred, when it is given.
  if (!exchange.deferred()) log_answer(log, exchange.status(), exchange.stream());
  return next;
}

// The answer is queued (corked): send it, then either keep the stream open, wait
// for the next request (true: parse what is buffered) or close.
template <typename Stream>
bool HttpConnection<Stream>::finish_answer_locked() {
  corked_ = false;
  if (phase_ == Phase::streaming) {
    // The request is done with; an open stream keeps no parser state.
    parser_.reset();
    flush_locked();
    finish_if_closing_locked();
    if (phase_ == Phase::streaming) arm_read_locked();
    return false;
  }
  if (phase_ != Phase::responding) return false;
  response_pending_ = true;
  flush_locked();
  if (phase_ != Phase::responding || writing_) return false;  // on_write() goes on
  response_pending_ = false;
  if (!keep_alive_) {
    graceful_close_locked();
    return false;
  }
  phase_ = Phase::reading;
  wait_locked(Wait::idle, core_->options.idle_timeout);
  parser_->release_memory();
  return true;
}

template <typename Stream>
RequestLog HttpConnection<Stream>::request_log_locked(const HttpRequest& request) {
  RequestLog log;
  std::error_code ec;
  const auto ep = socket().remote_endpoint(ec);
  if (!ec) log.remote = endpoint_text(ep);
  log.method = request.method;
  log.target = request.target;
  log.started = std::chrono::steady_clock::now();
  return log;
}

template <typename Stream>
void HttpConnection<Stream>::log_answer(const RequestLog& log, int status, bool stream) const {
  const auto& sink = core_->options.access_log;
  if (!sink) return;
  AccessLogEntry entry;
  entry.remote = log.remote;
  entry.method = log.method;
  entry.target = log.target;
  entry.status = status;
  entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - log.started);
  entry.stream = stream;
  try {
    sink(entry);
  } catch (...) {
  }
}

template <typename Stream>
void HttpConnection<Stream>::after_response() {
  {
    Lock lock(mutex_);
    if (phase_ != Phase::responding) return;
    response_pending_ = false;
    if (!keep_alive_ || core_->stopping.load(std::memory_order_relaxed)) {
      graceful_close_locked();
      return;
    }
    phase_ = Phase::reading;
    wait_locked(Wait::idle, core_->options.idle_timeout);
    parser_->release_memory();
  }
  handle_input(parser_->parse());
}

template <typename Stream>
void HttpConnection<Stream>::answer_parse_error(int status) {
  std::string remote;
  {
    Lock lock(mutex_);
    if (phase_ != Phase::reading) return;
    phase_ = Phase::responding;
    keep_alive_ = false;
    no_wait_locked();
    if (core_->options.access_log) {
      std::error_code ec;
      const auto ep = socket().remote_endpoint(ec);
      if (!ec) remote = endpoint_text(ep);
    }
    const auto response = HttpResponse::error(status, parse_error_message(status));
    enqueue_locked(make_shared_bytes(serialize_response(response, false)));
    response_pending_ = true;
    flush_locked();
    if (phase_ == Phase::responding && !writing_) graceful_close_locked();
  }
  parser_->release_memory();
  if (const auto& log = core_->options.access_log) {
    AccessLogEntry entry;
    entry.remote = remote;
    entry.status = status;
    try {
      log(entry);
    } catch (...) {
    }
  }
}

template <typename Stream>
void HttpConnection<Stream>::queue_response(HttpResponse&& response) {
  Lock lock(mutex_);
  if (phase_ != Phase::responding) return;
  enqueue_locked(make_shared_bytes(serialize_response(response, keep_alive_, head_request_)));
}

template <typename Stream>
std::shared_ptr<SseWriter> HttpConnection<Stream>::start_stream(int status,
                                                                std::vector<HttpField>&& fields) {
  Lock lock(mutex_);
  start_stream_locked(status, fields);
  // When closed meanwhile, writes answer `closed` and on_closed fires.
  return self();
}

template <typename Stream>
void HttpConnection<Stream>::start_stream_locked(int status, const std::vector<HttpField>& fields) {
  if (phase_ != Phase::responding) return;
  phase_ = Phase::streaming;
  keep_alive_ = false;
  stream_counted_ = true;
  core_->streams.fetch_add(1, std::memory_order_relaxed);
  // No length and no chunked coding: the body runs until the connection closes,
  // so a raw client reads pure event-stream bytes.
  enqueue_locked(make_shared_bytes(serialize_head(status, fields, std::nullopt, false)));
  // HEAD: the head alone; every write is refused and the connection ends.
  if (head_request_) queue_.close();
}
