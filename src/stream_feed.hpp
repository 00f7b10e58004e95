// The route's hold on a stream between check and open, carried by EventsResponse:
// the stream is already the session's subscriber (so no change falls between the
// store's read and open), and if the host drops the response instead of opening
// it, the last copy of this handle takes the stream out of the session. Private to
// src/. It lives only between check and open: an open stream costs nothing here.
#pragma once

#include <memory>
#include <utility>

#include "event_stream.hpp"

namespace eudiplo_sse::detail {

class StreamFeed {
 public:
  explicit StreamFeed(std::shared_ptr<EventStream> stream) : stream_(std::move(stream)) {}
  StreamFeed(const StreamFeed&) = delete;
  StreamFeed& operator=(const StreamFeed&) = delete;
  ~StreamFeed() {
    if (stream_) stream_->abandon();
  }

  EventStream& stream() const noexcept { return *stream_; }
  // For open(): the stream, which the route then owns.
  std::shared_ptr<EventStream> take() noexcept { return std::move(stream_); }

 private:
  std::shared_ptr<EventStream> stream_;
};

}  // namespace eudiplo_sse::detail
