// HttpConnection<Stream>, teardown: graceful and hard close, the callbacks,
// expiry and shutdown.
//
// Part of http_connection.cpp, which includes it inside namespace
// eudiplo_sse::http::detail and instantiates the template once for each stream
// type; not a header of its own.

// ---- teardown ---------------------------------------------------------------

// The bookkeeping both ways of closing share: no deadline, no queue, not a stream.
template <typename Stream>
void HttpConnection<Stream>::mark_closed_locked() {
  phase_ = Phase::closed;
  awaiting_ = false;  // a deferred answer that comes now is dropped
  watching_ = false;  // closing the socket ends the watch
  no_wait_locked();
  // A write in flight may still be reading its bytes (the reactor writes outside
  // this lock): on_write() drops them when it completes.
  if (!writing_) queue_.clear();
  queue_.close();
  if (stream_counted_) {
    stream_counted_ = false;
    core_->streams.fetch_sub(1, std::memory_order_relaxed);
  }
}

template <typename Stream>
void HttpConnection<Stream>::graceful_close_locked() {
  if (phase_ == Phase::closed) return;
  mark_closed_locked();
  std::error_code ec;
  if constexpr (!is_tls) {
    // Unread input would make close() send a reset, which can destroy the last
    // bytes of the response on their way to the client: drain it first.
    char buffer[1024];
    for (int i = 0; i < 16; ++i) {
      socket().read_some(asio::buffer(buffer), ec);
      if (ec) break;
    }
    socket().shutdown(asio::socket_base::shutdown_send, ec);
    socket().close(ec);
  } else {
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      std::error_code ec;
      self->socket().cancel(ec);  // the read that watches for the client leaving
      // close_notify, so the client can tell the end of the stream from a cut;
      // the socket closes when the client answers, goes away, or the grace
      // period (tls_shutdown_timeout, through expire()) runs out.
      if (!self->socket().is_open()) return;
      self->wait_locked(Wait::shutdown, self->core_->options.tls_shutdown_timeout);
      self->stream_.async_shutdown([self](const std::error_code&) {
        Lock lock(self->mutex_);
        self->no_wait_locked();
        std::error_code ec;
        self->socket().close(ec);
      });
    });
  }
  closed_pending_ = true;
  post_callbacks_locked();
}

template <typename Stream>
void HttpConnection<Stream>::hard_close_locked() {
  if (phase_ == Phase::closed) return;
  mark_closed_locked();
  if constexpr (!is_tls) {
    std::error_code ec;
    socket().close(ec);
  } else {
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      std::error_code ec;
      self->socket().close(ec);
    });
  }
  closed_pending_ = true;
  post_callbacks_locked();
}

template <typename Stream>
void HttpConnection<Stream>::post_callbacks_locked() {
  const bool due = (closed_pending_ && listeners_.wants_closed()) ||
                   (writable_pending_ && listeners_.wants_writable());
  if (!due) return;
  // Never from inside write()/close(): the library may hold its own lock there.
  asio::post(core_->io, [self = self()] {
    Lock lock(self->mutex_);
    self->run_callbacks(lock);
  });
}

template <typename Stream>
void HttpConnection<Stream>::run_callbacks(Lock& lock) {
  // One thread runs the callbacks at a time; another that finds them running
  // leaves its work to that thread, which loops until nothing is due.
  if (in_callbacks_) return;
  in_callbacks_ = true;
  for (;;) {
    if (closed_pending_ && listeners_.wants_closed()) {
      closed_pending_ = false;
      writable_pending_ = false;
      std::function<void()> writable;
      SseWriterListeners::Call closed = listeners_.take_closed(writable);
      lock.unlock();
      // Dropping everything breaks any reference cycle through the library.
      writable = nullptr;
      closed.closed();
      closed = {};
      lock.lock();
      continue;
    }
    if (writable_pending_ && listeners_.wants_writable() && phase_ != Phase::closed) {
      writable_pending_ = false;
      SseWriterListeners::Call writable = listeners_.writable_call();
      lock.unlock();
      writable.writable();
      writable = {};
      lock.lock();
      continue;
    }
    break;
  }
  in_callbacks_ = false;
}

template <typename Stream>
void HttpConnection<Stream>::wait_locked(Wait what, std::chrono::seconds timeout) {
  wait_ = what;
  set_deadline(timeout);
}

template <typename Stream>
void HttpConnection<Stream>::no_wait_locked() {
  wait_ = Wait::none;
  clear_deadline();
}

template <typename Stream>
void HttpConnection<Stream>::arm_write_wait_locked() {
  // Armed when a write starts waiting on the client, kept across writes that
  // make no progress; on_write() disarms it on progress.
  if (wait_ != Wait::write && phase_ != Phase::closed) {
    wait_locked(Wait::write, core_->options.write_stall_timeout);
  }
}

template <typename Stream>
void HttpConnection<Stream>::expire() {
  Lock lock(mutex_);
  const auto deadline = deadline_ms.load(std::memory_order_relaxed);
  if (deadline == 0 || deadline > steady_ms()) return;
  const Wait what = wait_;
  no_wait_locked();
  switch (what) {
    case Wait::none: return;
    case Wait::request:
      core_->request_timeouts.fetch_add(1, std::memory_order_relaxed);
      if (phase_ == Phase::reading && parser_ && parser_->started()) {
        lock.unlock();
        answer_parse_error(408);  // a request had started: say why it ends
        return;
      }
      hard_close_locked();  // a silent connection, or a TLS handshake, took too long
      return;
    case Wait::idle:
      core_->idle_timeouts.fetch_add(1, std::memory_order_relaxed);
      hard_close_locked();
      return;
    case Wait::write:
      core_->write_stalls.fetch_add(1, std::memory_order_relaxed);
      hard_close_locked();  // for a stream, on_closed tells its owner
      return;
    case Wait::response: answer_response_timeout_locked(); return;
    case Wait::shutdown:
      if constexpr (is_tls) {
        core_->tls_shutdown_timeouts.fetch_add(1, std::memory_order_relaxed);
        // Closing the socket ends the pending async_shutdown; inside the strand,
        // as every TLS operation.
        asio::post(stream_.get_executor(), [self = self()] {
          Lock lock(self->mutex_);
          std::error_code ec;
          self->socket().close(ec);
        });
      }
      return;
  }
}

template <typename Stream>
void HttpConnection<Stream>::stop() {
  Lock lock(mutex_);
  switch (phase_) {
    case Phase::handshake:
    case Phase::reading: hard_close_locked(); break;
    case Phase::responding: keep_alive_ = false; break;
    case Phase::streaming:
    case Phase::closed: break;
  }
}

template <typename Stream>
void HttpConnection<Stream>::abort() {
  Lock lock(mutex_);
  if (phase_ != Phase::closed) {
    hard_close_locked();
    return;
  }
  if constexpr (is_tls) {
    // A TLS shutdown may still wait for the client's close_notify.
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      std::error_code ec;
      self->socket().close(ec);
    });
  }
}
