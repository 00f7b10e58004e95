// State shared by an HttpServer and its connections (private to the adapter).
//
// Connections outlive the HttpServer object when a handler still holds one, so
// they share this core, never the server itself. The core keeps an intrusive
// list of live connections: sweep() and stop() walk it; a connection unlinks
// itself when destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>

#include "eudiplo_sse/asio/http_server.hpp"

namespace eudiplo_sse::http::detail {

class ServerCore;

// Connections per client address (its 16 bytes, IPv4 as IPv6-mapped).
using AddressCounts = std::unordered_map<std::string, std::size_t>;
using AddressCount = AddressCounts::value_type;

class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  explicit ConnectionBase(std::shared_ptr<ServerCore> core);
  virtual ~ConnectionBase();
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  virtual void start() = 0;
  // The request deadline passed: close unless a request is being answered.
  virtual void expire() = 0;
  // Server stop: close now if idle, after the response if answering; streams stay.
  virtual void stop() = 0;
  // Close now.
  virtual void abort() = 0;

  // Takes the connection cap slot `admit()` gave it; released on destruction.
  void hold_slot(AddressCount* address) noexcept;

  // Milliseconds on the steady clock; 0 = no deadline.
  std::atomic<std::int64_t> deadline_ms{0};

 protected:
  void set_deadline(std::chrono::seconds timeout);
  void clear_deadline() { deadline_ms.store(0, std::memory_order_relaxed); }
  void link();

  std::shared_ptr<ServerCore> core_;

 private:
  friend class ServerCore;
  ConnectionBase* prev_ = nullptr;
  ConnectionBase* next_ = nullptr;
  bool linked_ = false;
  bool holds_slot_ = false;
  // The count of its client address, in ServerCore's map (whose entries keep their
  // address until the count drops to zero): 8 bytes per connection, where a copy
  // of the 16-byte key cost a string and its heap block (issue 12).
  AddressCount* address_ = nullptr;
};

std::int64_t steady_ms() noexcept;

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(asio::io_context& io, RequestHandler handler, HttpServerOptions options,
             std::shared_ptr<asio::ssl::context> tls);

  std::error_code listen(const asio::ip::tcp::endpoint& endpoint);
  asio::ip::tcp::endpoint local_endpoint() const;
  void sweep();
  void stop();
  void abort();

  void link(ConnectionBase* c);
  void unlink(ConnectionBase* c);

  // Connection caps: true (and the client address's count) when a newly accepted
  // connection from `remote` fits; release() gives the slot back.
  bool admit(const asio::ip::tcp::endpoint& remote, AddressCount*& address);
  void release(AddressCount* address) noexcept;

  asio::io_context& io;
  const RequestHandler handler;
  const HttpServerOptions options;
  const std::shared_ptr<asio::ssl::context> tls;

  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> streams{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> request_timeouts{0};
  std::atomic<std::uint64_t> idle_timeouts{0};
  std::atomic<std::uint64_t> write_stalls{0};
  std::atomic<std::uint64_t> response_timeouts{0};
  std::atomic<std::uint64_t> abandoned_requests{0};
  std::atomic<std::uint64_t> tls_shutdown_timeouts{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> accept_errors{0};
  std::atomic<std::size_t> refusals_in_flight{0};

 private:
  void accept();
  // The accept handler's common part: false when `ec` ends this accept.
  bool accepted(const std::error_code& ec);
  void adopt(std::shared_ptr<ConnectionBase> connection);
  template <typename Fn>
  void for_each_connection(Fn&& fn);

  template <typename Socket>
  bool admit_or_refuse(Socket& socket, AddressCount*& address);

  std::mutex slots_mutex_;  // guards the two below
  std::size_t admitted_ = 0;
  AddressCounts per_address_;

  mutable std::mutex mutex_;  // guards acceptor_ and the connection list
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  ConnectionBase* head_ = nullptr;
};

}  // namespace eudiplo_sse::http::detail
