// The transport seam: a host's HTTP stack implements SseWriter for one open
// streaming response. The library never touches the host's sockets, and nothing
// here names Asio, so a Boost.Beast, Drogon or cpp-httplib host can implement it.
//
// The host has already sent the status line and headers the route returned;
// write() carries body bytes only (the host adds chunked framing if it uses it).
//
// Threading contract, which keeps the library free of the host's executors:
// - write() and close() may be called from any thread, never concurrently for one
//   writer (the library serialises its calls per stream).
// - write() and close() must not call the on_writable/on_closed callbacks before
//   they return (post them instead); the library may hold its stream lock
//   while calling write().
// - Callbacks may run on any thread, at most once at a time.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/shared_bytes.hpp"

namespace eudiplo_sse {

enum class WriteResult {
  accepted,  // taken; more may follow
  full,      // taken, but the writer's buffer is past its high-water mark:
             // hold further writes until on_writable fires
  closed,    // the response is gone; the bytes were dropped
};

// The other side of the two callbacks, as one object: the library's streams are
// listeners, and hand themselves to SseWriter::listen(). A writer that keeps this
// one weak reference instead of two std::function objects (each holding a
// weak_ptr on the heap) saves about 130 bytes per open stream (issue 12).
class EUDIPLO_SSE_EXPORT SseWriterListener {
 public:
  virtual void writable() = 0;  // as the on_writable callback
  virtual void closed() = 0;    // as the on_closed callback

 protected:
  ~SseWriterListener() = default;
};

class EUDIPLO_SSE_EXPORT SseWriter {
 public:
  virtual ~SseWriter() = default;

  // Queue bytes for the client. The writer keeps `bytes` alive until written.
  virtual WriteResult write(SharedBytes bytes) = 0;

  // End the response once everything accepted so far has been written.
  virtual void close() = 0;

  // Called when a writer that answered `full` can take more.
  virtual void on_writable(std::function<void()> callback) = 0;

  // Called once when the response ends for any reason (client gone, write error,
  // close() completed). Must fire even if registered after the fact.
  virtual void on_closed(std::function<void()> callback) = 0;

  // Both callbacks at once, as calls on `listener` for as long as it lives; what
  // the library uses. The same contract as on_writable/on_closed. The default
  // registers two callbacks; a writer may override it to keep only the weak
  // reference.
  virtual void listen(std::weak_ptr<SseWriterListener> listener) {
    on_writable([listener] {
      if (auto l = listener.lock()) l->writable();
    });
    on_closed([listener = std::move(listener)] {
      if (auto l = listener.lock()) l->closed();
    });
  }
};

}  // namespace eudiplo_sse
