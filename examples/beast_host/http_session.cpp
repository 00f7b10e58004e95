#include "http_session.hpp"

#include <chrono>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <eudiplo_sse/boost_asio/sse_stream_writer.hpp>
#include <eudiplo_sse/events_route.hpp>

namespace beast_host {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {
constexpr std::chrono::seconds request_timeout{30};
constexpr std::size_t header_limit = 32 * 1024;
constexpr std::size_t body_limit = 64 * 1024;
}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket socket, const Routes& routes,
                         eudiplo_sse::EventsRoute& events)
    : stream_(std::move(socket)), routes_(routes), events_(events) {}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void HttpSession::read_request() {
  parser_.emplace();
  parser_->header_limit(header_limit);
  parser_->body_limit(body_limit);
  stream_.expires_after(request_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == beast::error::timeout || ec == net::error::connection_reset) {
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec) {
    // Malformed or oversized: answer once, then close the connection.
    const int status = ec == http::error::body_limit     ? 413
                       : ec == http::error::header_limit ? 431
                                                         : 400;
    Response res{static_cast<http::status>(status), 11};
    res.keep_alive(false);
    res.set(http::field::content_type, "application/json");
    res.body() = eudiplo_sse::error_body(status, "bad request");
    res.prepare_payload();
    send(std::move(res));
    return;
  }

  Request request = parser_->release();
  Answer answer;
  try {
    answer = routes_.handle(request);
  } catch (const std::exception&) {
    // No exception leaves an Asio handler: answer 500 and end the connection.
    answer = Answer{};
    answer.response = Response{http::status::internal_server_error, request.version()};
    answer.response.keep_alive(false);
    answer.response.prepare_payload();
  }
  if (!answer.events.is_stream()) {
    send(std::move(answer.response));
    return;
  }

  // The route accepted the stream: the connection now belongs to the writer.
  // HTTP/1.0 has no chunked framing: the body then ends with the connection.
  eudiplo_sse::SseStreamWriterOptions options;
  options.chunked = request.version() >= 11;
  auto writer = eudiplo_sse::boost_asio::SseStreamWriter<beast::tcp_stream>::start(
      std::move(stream_),
      eudiplo_sse::format_response_head(answer.events.status, answer.events.headers,
                                        options.chunked),
      options);
  events_.open(std::move(answer.events), std::move(writer));
}

void HttpSession::send(Response response) {
  auto res = std::make_shared<Response>(std::move(response));
  stream_.expires_after(request_timeout);
  http::async_write(stream_, *res,
                    [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      if (!res->keep_alive()) {
                        self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
                        return;
                      }
                      self->read_request();
                    });
}

}  // namespace beast_host
