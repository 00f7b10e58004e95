// HttpConnection<Stream>, deferred answers: the Deferred a handler keeps, the wait
// for it (client watch, response deadline) and the resumption once it comes.
//
// Part of http_connection.cpp, which includes it inside namespace
// eudiplo_sse::http::detail and instantiates the template once for each stream
// type; not a header of its own.

// ---- deferred answers -------------------------------------------------------

// Holds its connection until answered: a late answer finds it closed (and is
// dropped) rather than freed.
template <typename Stream>
class HttpConnection<Stream>::Deferred final : public DeferredResponse {
 public:
  Deferred(std::shared_ptr<HttpConnection> connection, RequestLog log)
      : connection_(std::move(connection)), log_(std::move(log)) {}

  ~Deferred() override {
    // Dropped unanswered (a handler's bug, or its completion never ran).
    if (!answered_.load(std::memory_order_acquire)) {
      try {
        respond(HttpResponse::error(500, "internal error"));
      } catch (...) {
      }
    }
  }

  void respond(HttpResponse response) override {
    if (answered_.exchange(true, std::memory_order_acq_rel)) return;
    const int status = response.status;
    if (connection_->answer_deferred(std::move(response))) {
      connection_->log_answer(log_, status, false);
    }
  }

  std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) override {
    if (answered_.exchange(true, std::memory_order_acq_rel)) return nullptr;
    bool delivered = false;
    auto writer = connection_->answer_deferred_stream(status, std::move(fields), delivered);
    if (delivered) connection_->log_answer(log_, status, true);
    return writer;
  }

 private:
  std::shared_ptr<HttpConnection> connection_;
  RequestLog log_;
  std::atomic<bool> answered_{false};
};

template <typename Stream>
std::shared_ptr<DeferredResponse> HttpConnection<Stream>::Exchange::defer() {
  if (responded_) return nullptr;
  // Made first: should it throw, the exchange is still unanswered (and gets a 500).
  auto deferred = std::make_shared<Deferred>(connection_.self(), std::move(log_));
  connection_.begin_deferral();
  responded_ = true;
  deferred_ = true;
  return deferred;
}

template <typename Stream>
void HttpConnection<Stream>::begin_deferral() {
  Lock lock(mutex_);
  if (phase_ == Phase::responding) awaiting_ = true;
}

// Returns false when the answer is dropped: the client left, the response
// deadline answered, or the server aborted the connection.
template <typename Stream>
bool HttpConnection<Stream>::answer_deferred(HttpResponse&& response) {
  Lock lock(mutex_);
  if (!awaiting_) return false;
  awaiting_ = false;
  if (wait_ == Wait::response) no_wait_locked();
  enqueue_locked(make_shared_bytes(serialize_response(response, keep_alive_, head_request_)));
  resume_locked();
  return true;
}

template <typename Stream>
std::shared_ptr<SseWriter> HttpConnection<Stream>::answer_deferred_stream(
    int status, std::vector<HttpField>&& fields, bool& delivered) {
  Lock lock(mutex_);
  delivered = awaiting_;
  if (awaiting_) {
    awaiting_ = false;
    if (wait_ == Wait::response) no_wait_locked();
    start_stream_locked(status, fields);
    resume_locked();
  }
  // A closed connection is still a writer: writes answer `closed`, on_closed fires.
  return self();
}

// The handler returned without answering: the connection waits, holding no thread.
template <typename Stream>
void HttpConnection<Stream>::park_locked() {
  corked_ = false;
  wait_locked(Wait::response, core_->options.response_timeout);
  watch_client_locked();
}

// The answer is queued. While the handler still runs (corked_), serve() finishes
// the job; otherwise the rest runs on the connection's executor (not on the
// answering thread, which may be a store's: the next request's handler, and every
// TLS operation, must run there). Corked until then, so the answer leaves first.
template <typename Stream>
void HttpConnection<Stream>::resume_locked() {
  if (corked_) return;
  corked_ = true;
  auto finish = [self = self()] { self->finish_deferred(); };
  if constexpr (is_tls) {
    asio::post(stream_.get_executor(), std::move(finish));
  } else {
    asio::post(core_->io, std::move(finish));
  }
}

template <typename Stream>
void HttpConnection<Stream>::finish_deferred() {
  bool next = false;
  {
    Lock lock(mutex_);
    cancel_watch_locked();
    next = finish_answer_locked();
  }
  if (next) handle_input(parser_->parse());
}

// Waits for readability without reading: an HTTP client sends nothing while it
// waits for its answer, unless it pipelines its next request.
template <typename Stream>
void HttpConnection<Stream>::watch_client_locked() {
  if (phase_ != Phase::responding) return;
  watching_ = true;
  socket().async_wait(asio::socket_base::wait_read,
                      [self = self()](const std::error_code& ec) { self->on_watch(ec); });
}

template <typename Stream>
void HttpConnection<Stream>::on_watch(const std::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // cancelled: the answer came
  Lock lock(mutex_);
  if (!awaiting_ || corked_ || phase_ != Phase::responding) return;
  watching_ = false;
  if (ec) {
    core_->abandoned_requests.fetch_add(1, std::memory_order_relaxed);
    hard_close_locked();
    return;
  }
  // Peek, so that a pipelined request stays in the kernel until this answer is out.
  char byte;
  const auto n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return;  // the next request: no longer watched (the deadline still runs)
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    watch_client_locked();
    return;
  }
  // EOF or reset: the client has gone. The answer, when it comes, is dropped.
  core_->abandoned_requests.fetch_add(1, std::memory_order_relaxed);
  hard_close_locked();
}

template <typename Stream>
void HttpConnection<Stream>::cancel_watch_locked() {
  if (!watching_) return;
  watching_ = false;
  std::error_code ec;
  socket().cancel(ec);  // nothing else is pending on the socket while an answer is due
}

// Wait::response ran out: answer 503 in place of the handler, and close.
template <typename Stream>
void HttpConnection<Stream>::answer_response_timeout_locked() {
  if (!awaiting_ || corked_) return;
  awaiting_ = false;
  keep_alive_ = false;
  core_->response_timeouts.fetch_add(1, std::memory_order_relaxed);
  auto response = HttpResponse::error(503, "the answer took too long; try again later");
  response.set("Retry-After", std::to_string(core_->options.refused_retry_after.count()));
  enqueue_locked(make_shared_bytes(serialize_response(response, false, head_request_)));
  resume_locked();
}
