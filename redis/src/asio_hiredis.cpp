#include "asio_hiredis.hpp"

#include <hiredis/async.h>

#include <asio/posix/stream_descriptor.hpp>
#include <memory>

namespace eudiplo_sse::redis::detail {
namespace {

// One per attached context. Kept alive by itself (`self_`) until hiredis's cleanup,
// and by every pending wait, so a wait completing after cleanup finds it intact
// and `alive_` false.
class AsioHiredisState : public std::enable_shared_from_this<AsioHiredisState> {
 public:
  AsioHiredisState(redisAsyncContext* ac, asio::io_context& io, int fd)
      : ac_(ac), descriptor_(io, fd) {}

  void keep_alive() { self_ = shared_from_this(); }

  void add_read() {
    reading_ = true;
    if (!read_waiting_) wait_read();
  }
  void del_read() { reading_ = false; }
  void add_write() {
    writing_ = true;
    if (!write_waiting_) wait_write();
  }
  void del_write() { writing_ = false; }

  void cleanup() {
    alive_ = false;
    reading_ = writing_ = false;
    asio::error_code ignored;
    descriptor_.cancel(ignored);
    descriptor_.release();  // hiredis closes the socket itself
    self_.reset();          // pending waits still hold us until they complete
  }

 private:
  void wait_read() {
    read_waiting_ = true;
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const asio::error_code& ec) {
                             self->read_waiting_ = false;
                             if (ec || !self->alive_ || !self->reading_) return;
                             // May free the context (and call cleanup) before returning.
                             redisAsyncHandleRead(self->ac_);
                             if (self->alive_ && self->reading_ && !self->read_waiting_) {
                               self->wait_read();
                             }
                           });
  }
  void wait_write() {
    write_waiting_ = true;
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_write,
                           [self = shared_from_this()](const asio::error_code& ec) {
                             self->write_waiting_ = false;
                             if (ec || !self->alive_ || !self->writing_) return;
                             redisAsyncHandleWrite(self->ac_);
                             if (self->alive_ && self->writing_ && !self->write_waiting_) {
                               self->wait_write();
                             }
                           });
  }

  redisAsyncContext* ac_;
  asio::posix::stream_descriptor descriptor_;
  std::shared_ptr<AsioHiredisState> self_;
  bool alive_ = true;
  bool reading_ = false;
  bool writing_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
};

AsioHiredisState* state_of(void* privdata) { return static_cast<AsioHiredisState*>(privdata); }

}  // namespace

bool attach_to_asio(redisAsyncContext* ac, asio::io_context& io) {
  if (ac == nullptr || ac->ev.data != nullptr || ac->c.fd < 0) return false;
  auto state = std::make_shared<AsioHiredisState>(ac, io, ac->c.fd);
  state->keep_alive();
  ac->ev.data = state.get();
  ac->ev.addRead = [](void* p) { state_of(p)->add_read(); };
  ac->ev.delRead = [](void* p) { state_of(p)->del_read(); };
  ac->ev.addWrite = [](void* p) { state_of(p)->add_write(); };
  ac->ev.delWrite = [](void* p) { state_of(p)->del_write(); };
  ac->ev.cleanup = [](void* p) { state_of(p)->cleanup(); };
  return true;
}

}  // namespace eudiplo_sse::redis::detail
