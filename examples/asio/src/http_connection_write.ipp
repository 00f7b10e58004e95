// HttpConnection<Stream>, the write side: the SseWriter members, the queue and the
// asynchronous writes.
//
// Part of http_connection.cpp, which includes it inside namespace
// eudiplo_sse::http::detail and instantiates the template once for each stream
// type; not a header of its own.

// ---- write side -------------------------------------------------------------

template <typename Stream>
WriteResult HttpConnection<Stream>::write(SharedBytes bytes) {
  Lock lock(mutex_);
  if (phase_ != Phase::streaming || queue_.closing()) return WriteResult::closed;
  if (!bytes || bytes->empty()) return WriteResult::accepted;
  const std::size_t high_water = core_->options.stream_high_water;
  if constexpr (!is_tls) {
    if (!corked_ && !writing_ && queue_.empty()) {
      // The common case: the socket has room, the bytes leave now, nothing is queued.
      std::error_code ec;
      std::size_t n = socket().write_some(asio::buffer(*bytes), ec);
      if (would_block(ec)) {
        n = 0;
      } else if (ec) {
        hard_close_locked();
        return WriteResult::closed;
      }
      if (n == bytes->size()) return WriteResult::accepted;
      const WriteResult result = queue_.push(std::move(bytes), high_water, n);
      start_async_write_locked();
      return result;
    }
    return queue_.push(std::move(bytes), high_water);
  } else {
    const WriteResult result = queue_.push(std::move(bytes), high_water);
    if (!corked_ && !writing_) start_async_write_locked();
    return result;
  }
}

template <typename Stream>
void HttpConnection<Stream>::close() {
  Lock lock(mutex_);
  if (phase_ == Phase::closed || queue_.closing()) return;
  queue_.close();
  finish_if_closing_locked();
}

template <typename Stream>
void HttpConnection<Stream>::on_writable(std::function<void()> callback) {
  Lock lock(mutex_);
  if (phase_ == Phase::closed) return;  // would never fire; holding it could only leak
  listeners_.on_writable(std::move(callback));
}

template <typename Stream>
void HttpConnection<Stream>::on_closed(std::function<void()> callback) {
  Lock lock(mutex_);
  listeners_.on_closed(std::move(callback));
  if (phase_ == Phase::closed) {
    closed_pending_ = true;
    post_callbacks_locked();
  }
}

template <typename Stream>
void HttpConnection<Stream>::listen(std::weak_ptr<SseWriterListener> listener) {
  Lock lock(mutex_);
  listeners_.listen(std::move(listener));
  if (phase_ == Phase::closed) {  // it must still hear of the end
    closed_pending_ = true;
    post_callbacks_locked();
  }
}

template <typename Stream>
void HttpConnection<Stream>::enqueue_locked(SharedBytes bytes) {
  queue_.push(std::move(bytes), std::numeric_limits<std::size_t>::max());
}

template <typename Stream>
void HttpConnection<Stream>::consume_locked(std::size_t n) {
  // A writer that answered `full` may write again once half the mark is left.
  if (queue_.consume(n, core_->options.stream_high_water)) writable_pending_ = true;
}

template <typename Stream>
void HttpConnection<Stream>::flush_locked() {
  if (corked_ || writing_ || queue_.empty() || phase_ == Phase::closed) return;
  if constexpr (!is_tls) {
    std::string_view views[max_write_buffers];
    std::array<asio::const_buffer, max_write_buffers> buffers{};
    while (!queue_.empty()) {
      const std::size_t count = queue_.gather(views, max_write_buffers);
      for (std::size_t i = 0; i < max_write_buffers; ++i) {
        buffers[i] =
            i < count ? asio::buffer(views[i].data(), views[i].size()) : asio::const_buffer();
      }
      std::error_code ec;
      const std::size_t n = socket().write_some(buffers, ec);
      if (would_block(ec)) break;
      if (ec) {
        hard_close_locked();
        return;
      }
      consume_locked(n);
    }
    if (!queue_.empty()) start_async_write_locked();
    post_callbacks_locked();  // on_writable, when a `full` was answered meanwhile
  } else {
    start_async_write_locked();
  }
}

template <typename Stream>
void HttpConnection<Stream>::start_async_write_locked() {
  writing_ = true;
  arm_write_wait_locked();
  if constexpr (!is_tls) {
    initiate_async_write_locked();
  } else {
    asio::post(stream_.get_executor(), [self = self()] {
      Lock lock(self->mutex_);
      self->initiate_async_write_locked();
    });
  }
}

template <typename Stream>
void HttpConnection<Stream>::initiate_async_write_locked() {
  if (phase_ == Phase::closed || queue_.empty()) {
    writing_ = false;
    if (phase_ == Phase::closed) {
      queue_.clear();
    } else {
      finish_if_closing_locked();
    }
    return;
  }
  std::string_view views[max_write_buffers];
  const std::size_t count = queue_.gather(views, max_write_buffers);
  std::array<asio::const_buffer, max_write_buffers> buffers{};
  for (std::size_t i = 0; i < count; ++i)
    buffers[i] = asio::buffer(views[i].data(), views[i].size());
  stream_.async_write_some(buffers, [self = self()](const std::error_code& ec, std::size_t n) {
    self->on_write(ec, n);
  });
}

template <typename Stream>
void HttpConnection<Stream>::on_write(const std::error_code& ec, std::size_t n) {
  Lock lock(mutex_);
  writing_ = false;
  if (phase_ == Phase::closed) {
    queue_.clear();  // kept while the write was in flight (mark_closed_locked)
    return;
  }
  if (ec) {
    hard_close_locked();
    return;
  }
  consume_locked(n);
  // Progress: the write-stall clock starts again (or stops, when all is written).
  if (n > 0 && wait_ == Wait::write) no_wait_locked();
  if (!queue_.empty()) {
    start_async_write_locked();
    if (writable_pending_) run_callbacks(lock);  // drained to half: on_writable
    return;
  }
  if (queue_.closing()) {
    graceful_close_locked();
    return;
  }
  if (response_pending_ && phase_ == Phase::responding) {
    lock.unlock();
    after_response();
    return;
  }
  if (writable_pending_) run_callbacks(lock);
}

template <typename Stream>
void HttpConnection<Stream>::finish_if_closing_locked() {
  if (queue_.drained() && !corked_ && !writing_) graceful_close_locked();
}
