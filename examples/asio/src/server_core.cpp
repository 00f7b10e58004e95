#include "server_core.hpp"

#include <asio/strand.hpp>
#include <type_traits>
#include <vector>

#include "http_connection.hpp"
#include "refused_connection.hpp"

namespace eudiplo_sse::http::detail {

std::int64_t steady_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ConnectionBase::ConnectionBase(std::shared_ptr<ServerCore> core) : core_(std::move(core)) {}

ConnectionBase::~ConnectionBase() {
  if (linked_) core_->unlink(this);
  if (holds_slot_) core_->release(address_);
}

void ConnectionBase::hold_slot(AddressCount* address) noexcept {
  address_ = address;
  holds_slot_ = true;
}

void ConnectionBase::set_deadline(std::chrono::seconds timeout) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  deadline_ms.store(steady_ms() + ms, std::memory_order_relaxed);
}

void ConnectionBase::link() {
  core_->link(this);
  linked_ = true;
}

ServerCore::ServerCore(asio::io_context& io_context, RequestHandler request_handler,
                       HttpServerOptions server_options,
                       std::shared_ptr<asio::ssl::context> tls_context)
    : io(io_context),
      handler(std::move(request_handler)),
      options(std::move(server_options)),
      tls(std::move(tls_context)),
      acceptor_(io_context),
      accept_retry_(io_context) {}

std::error_code ServerCore::listen(const asio::ip::tcp::endpoint& endpoint) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::error_code ignored;
    acceptor_.close(ignored);
    return ec;
  }
  accept();
  return {};
}

asio::ip::tcp::endpoint ServerCore::local_endpoint() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void ServerCore::accept() {
  if (tls) {
    // TLS connections get a strand of their own: SSL stream operations never overlap.
    acceptor_.async_accept(asio::make_strand(io),
                           [self = shared_from_this()](const std::error_code& ec, auto socket) {
                             if (!self->accepted(ec)) return;
                             AddressCount* address = nullptr;
                             if (!self->admit_or_refuse(socket, address)) return;
                             auto c = std::make_shared<HttpConnection<TlsStream>>(
                                 self, TlsStream(std::move(socket), *self->tls));
                             c->hold_slot(address);
                             self->adopt(std::move(c));
                           });
  } else {
    acceptor_.async_accept(
        io.get_executor(), [self = shared_from_this()](const std::error_code& ec, auto socket) {
          if (!self->accepted(ec)) return;
          AddressCount* address = nullptr;
          if (!self->admit_or_refuse(socket, address)) return;
          auto c = std::make_shared<HttpConnection<PlainStream>>(self, std::move(socket));
          c->hold_slot(address);
          self->adopt(std::move(c));
        });
  }
}

bool ServerCore::accepted(const std::error_code& ec) {
  if (ec == asio::error::operation_aborted || stopping.load()) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!acceptor_.is_open()) return false;
  if (ec) {
    accept_errors.fetch_add(1, std::memory_order_relaxed);
    // Out of descriptors (EMFILE) and the like: try again shortly rather than spin.
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([self = shared_from_this()](const std::error_code& wait_ec) {
      if (wait_ec || self->stopping.load()) return;
      std::lock_guard<std::mutex> lock(self->mutex_);
      if (self->acceptor_.is_open()) self->accept();
    });
    return false;
  }
  // Accept the next one before setting this one up.
  accept();
  return true;
}

void ServerCore::adopt(std::shared_ptr<ConnectionBase> connection) { connection->start(); }

bool ServerCore::admit(const asio::ip::tcp::endpoint& remote, AddressCount*& address) {
  // The address's bytes, IPv4 as its IPv6-mapped form: one key per client host.
  const auto v6 = remote.address().is_v4()
                      ? asio::ip::make_address_v6(asio::ip::v4_mapped, remote.address().to_v4())
                      : remote.address().to_v6();
  const auto bytes = v6.to_bytes();
  std::string key(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::lock_guard<std::mutex> lock(slots_mutex_);
  if (options.max_connections && admitted_ >= options.max_connections) return false;
  AddressCount& mine = *per_address_.try_emplace(std::move(key), 0).first;
  if (options.max_connections_per_address && mine.second >= options.max_connections_per_address) {
    if (mine.second == 0) per_address_.erase(per_address_.find(mine.first));
    return false;
  }
  ++mine.second;
  ++admitted_;
  address = &mine;
  return true;
}

void ServerCore::release(AddressCount* address) noexcept {
  std::lock_guard<std::mutex> lock(slots_mutex_);
  --admitted_;
  // Erased through an iterator: erase(key) would read a key it is freeing.
  if (address != nullptr && --address->second == 0)
    per_address_.erase(per_address_.find(address->first));
}

template <typename Socket>
bool ServerCore::admit_or_refuse(Socket& socket, AddressCount*& address) {
  std::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) {
    socket.close(ec);  // already gone
    return false;
  }
  if (admit(remote, address)) return true;
  connections_refused.fetch_add(1, std::memory_order_relaxed);
  // A bounded number of refusals linger to deliver their 503; beyond that (or
  // for TLS, where a 503 would cost a handshake) the connection is just closed.
  constexpr std::size_t max_lingering_refusals = 256;
  if constexpr (std::is_same_v<Socket, PlainStream>) {
    if (refusals_in_flight.load(std::memory_order_relaxed) < max_lingering_refusals) {
      refuse_connection(shared_from_this(), std::move(socket));
      return false;
    }
  }
  socket.close(ec);
  return false;
}

void ServerCore::link(ConnectionBase* c) {
  std::lock_guard<std::mutex> lock(mutex_);
  c->prev_ = nullptr;
  c->next_ = head_;
  if (head_) head_->prev_ = c;
  head_ = c;
}

void ServerCore::unlink(ConnectionBase* c) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (c->prev_) {
    c->prev_->next_ = c->next_;
  } else {
    head_ = c->next_;
  }
  if (c->next_) c->next_->prev_ = c->prev_;
  c->prev_ = c->next_ = nullptr;
}

template <typename Fn>
void ServerCore::for_each_connection(Fn&& fn) {
  // Collected under the lock, called outside it: a connection may unlink itself.
  std::vector<std::shared_ptr<ConnectionBase>> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (ConnectionBase* c = head_; c; c = c->next_) {
      // A connection being destroyed has no owner left; lock() then yields null.
      if (auto owner = c->weak_from_this().lock()) batch.push_back(std::move(owner));
    }
  }
  for (auto& c : batch) fn(*c);
}

void ServerCore::sweep() {
  const auto now = steady_ms();
  std::vector<std::shared_ptr<ConnectionBase>> due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (ConnectionBase* c = head_; c; c = c->next_) {
      const auto deadline = c->deadline_ms.load(std::memory_order_relaxed);
      if (deadline == 0 || deadline > now) continue;
      if (auto owner = c->weak_from_this().lock()) due.push_back(std::move(owner));
    }
  }
  for (auto& c : due) c->expire();
}

void ServerCore::stop() {
  stopping.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
  }
  for_each_connection([](ConnectionBase& c) { c.stop(); });
}

void ServerCore::abort() {
  stop();
  for_each_connection([](ConnectionBase& c) { c.abort(); });
}

}  // namespace eudiplo_sse::http::detail
