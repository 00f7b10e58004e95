#include "control_pool.hpp"

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <array>

#include "http_response_parser.hpp"

namespace eudiplo_sse::bench {

class ControlPool::Conn final : public std::enable_shared_from_this<Conn>,
                                private HttpResponseParser::Handler {
 public:
  Conn(ControlPool& pool) : pool_(&pool), socket_(pool.io_) {}

  void start(Job job) {
    job_ = std::move(job);
    has_job_ = true;
    body_.clear();
    parser_.reset();
    got_bytes_ = false;
    if (open_) {
      reused_ = true;
      send();
    } else {
      connect();
    }
  }

  void shutdown() {
    pool_ = nullptr;
    ++generation_;
    std::error_code ignored;
    socket_.close(ignored);
    open_ = false;
  }

 private:
  void connect() {
    reused_ = false;
    ++generation_;
    std::error_code ec;
    socket_.close(ec);
    ec = pool_->connector_.prepare(socket_);
    if (ec) {
      fail();
      return;
    }
    socket_.async_connect(pool_->connector_.server(),
                          [self = shared_from_this(), gen = generation_](std::error_code ec) {
                            if (gen != self->generation_ || !self->pool_) return;
                            if (ec) {
                              ++self->pool_->connection_failures_;
                              self->fail();
                              return;
                            }
                            self->open_ = true;
                            asio::ip::tcp::no_delay nodelay(true);
                            self->socket_.set_option(nodelay, ec);
                            self->read();
                            self->send();
                          });
  }

  void send() {
    const ControlRequest& r = job_.request;
    out_.clear();
    out_ += r.method;
    out_ += ' ';
    out_ += r.target;
    out_ += " HTTP/1.1\r\nHost: ";
    out_ += pool_->host_;
    out_ += "\r\nAccept: application/json\r\n";
    if (!r.authorization.empty()) {
      out_ += "Authorization: ";
      out_ += r.authorization;
      out_ += "\r\n";
    }
    if (!r.body.empty() || r.method == "POST" || r.method == "PATCH") {
      out_ += "Content-Type: ";
      out_ += r.content_type;
      out_ += "\r\nContent-Length: ";
      out_ += std::to_string(r.body.size());
      out_ += "\r\n";
    }
    out_ += "\r\n";
    out_ += r.body;
    sent_at_ = Clock::now();
    if (job_.on_sent) job_.on_sent(sent_at_);
    asio::async_write(
        socket_, asio::buffer(out_),
        [self = shared_from_this(), gen = generation_](std::error_code ec, std::size_t) {
          if (gen != self->generation_ || !self->pool_) return;
          if (ec) self->lost_connection();
        });
  }

  void read() {
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this(), gen = generation_](
                                                    std::error_code ec, std::size_t n) {
      if (gen != self->generation_ || !self->pool_) return;
      if (ec) {
        self->lost_connection();
        return;
      }
      self->on_data(n);
    });
  }

  void on_data(std::size_t n) {
    if (!has_job_) {  // bytes nobody asked for: the connection is not usable
      close_socket();
      return;
    }
    got_bytes_ = true;
    std::size_t used = parser_.feed(buf_.data(), n, *this);
    if (parser_.failed() || (parser_.complete() && used != n)) {
      close_socket();
      fail();
      return;
    }
    if (parser_.complete()) {
      if (!parser_.keep_alive()) close_socket();
      complete(parser_.status());
      if (!open_) return;
    }
    read();
  }

  void lost_connection() {
    const bool was_open = open_;
    close_socket();
    if (!has_job_) return;
    if (parser_.finish(*this) && parser_.complete()) {
      complete(parser_.status());
      return;
    }
    // The server may close a keep-alive connection just as we reuse it.
    if (was_open && reused_ && !got_bytes_ && !job_.retried) {
      job_.retried = true;
      body_.clear();
      parser_.reset();
      connect();
      return;
    }
    fail();
  }

  void close_socket() {
    ++generation_;
    std::error_code ignored;
    socket_.close(ignored);
    open_ = false;
  }

  void fail() { complete(0); }

  void complete(int status) {
    if (!has_job_ || !pool_) return;
    has_job_ = false;
    ControlResponse response;
    response.status = status;
    response.body = std::move(body_);
    response.sent_at = sent_at_;
    response.done_at = Clock::now();
    ResponseHandler handler = std::move(job_.on_done);
    job_ = Job{};
    ControlPool* pool = pool_;
    auto keep = shared_from_this();
    if (handler) handler(response);
    if (pool_ == pool) pool->release(this);
  }

  void on_http_head(const HttpResponseParser&) override {}
  void on_http_body(const char* data, std::size_t size) override { body_.append(data, size); }
  void on_http_complete() override {}

  ControlPool* pool_;
  asio::ip::tcp::socket socket_;
  HttpResponseParser parser_;
  std::array<char, 8192> buf_{};
  std::string out_;
  std::string body_;
  Job job_;
  TimePoint sent_at_{};
  std::uint64_t generation_ = 0;
  bool has_job_ = false;
  bool open_ = false;
  bool reused_ = false;
  bool got_bytes_ = false;
};

ControlPool::ControlPool(asio::io_context& io, Connector& connector, std::string host,
                         std::size_t size)
    : io_(io), connector_(connector), host_(std::move(host)) {
  for (std::size_t i = 0; i < size; ++i) {
    conns_.push_back(std::make_shared<Conn>(*this));
    idle_.push_back(conns_.back().get());
  }
}

ControlPool::~ControlPool() { close(); }

void ControlPool::submit(ControlRequest request, ResponseHandler on_done, SentHandler on_sent) {
  if (closed_) return;
  queue_.push_back(Job{std::move(request), std::move(on_done), std::move(on_sent)});
  pump();
}

void ControlPool::pump() {
  while (!closed_ && !queue_.empty() && !idle_.empty()) {
    Conn* conn = idle_.back();
    idle_.pop_back();
    Job job = std::move(queue_.front());
    queue_.pop_front();
    conn->start(std::move(job));
  }
}

void ControlPool::release(Conn* conn) {
  idle_.push_back(conn);
  pump();
}

void ControlPool::close() {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  for (auto& conn : conns_) conn->shutdown();
}

}  // namespace eudiplo_sse::bench
