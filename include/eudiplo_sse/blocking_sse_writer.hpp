// BlockingSseWriter: the library's SseWriter for blocking, thread-per-connection
// HTTP stacks (cpp-httplib, a hand-written thread pool), where a pool thread owns
// the connection and pulls the body from a callback.
//
// The library's threads write() into a bounded queue; the connection's thread
// calls pump() in a loop: it waits for bytes (or close()), writes them, and
// between waits asks the stack whether the client is still there, so a client that
// leaves is noticed within `liveness_interval` rather than at the next heartbeat.
// Callbacks never run inside write() or close(): on_writable runs on the
// connection's thread inside pump(), on_closed inside ended().
//
//   auto writer = std::make_shared<eudiplo_sse::BlockingSseWriter>();
//   route.open(std::move(response), writer);
//   // on the connection's thread, until pump() answers finished or gone:
//   writer->pump(write_bytes, client_is_there);
//   writer->ended();   // however the response ended
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/shared_bytes.hpp"
#include "eudiplo_sse/sse_write_queue.hpp"
#include "eudiplo_sse/sse_writer.hpp"
#include "eudiplo_sse/sse_writer_listeners.hpp"

namespace eudiplo_sse {

struct BlockingSseWriterOptions {
  std::size_t high_water = 64 * 1024;
  // The longest pump() waits for bytes before it checks that the client is there.
  std::chrono::milliseconds liveness_interval{250};
};

class EUDIPLO_SSE_EXPORT BlockingSseWriter final : public SseWriter {
 public:
  explicit BlockingSseWriter(BlockingSseWriterOptions options = {});

  // SseWriter: any thread.
  WriteResult write(SharedBytes bytes) override;
  void close() override;
  void on_writable(std::function<void()> callback) override;
  void on_closed(std::function<void()> callback) override;
  void listen(std::weak_ptr<SseWriterListener> listener) override;

  enum class Step {
    more,      // call pump() again
    finished,  // close() was called and everything is written: end the response
    gone,      // the client left or a write failed: drop the response
  };

  // The connection's thread. `write_bytes(data, size)` sends body bytes (false: the
  // client is gone); `client_is_there()` is the stack's liveness check (cpp-httplib:
  // DataSink::is_writable). Never passes empty bytes to `write_bytes` (an empty
  // write ends a cpp-httplib stream).
  Step pump(const std::function<bool(const char*, std::size_t)>& write_bytes,
            const std::function<bool()>& client_is_there);

  // The response is over, however it ended: write() answers closed from now on and
  // on_closed runs here, on the calling thread. Idempotent.
  void ended();

 private:
  const BlockingSseWriterOptions options_;
  std::mutex mutex_;
  std::condition_variable ready_;
  SseWriteQueue queue_;   // the flow-control rules every writer of the library shares
  bool pumping_ = false;  // pump() is writing views into queue_: only it may drop them
  bool ended_ = false;
  SseWriterListeners listeners_;  // the library's stream, or a host's callbacks
};

}  // namespace eudiplo_sse
