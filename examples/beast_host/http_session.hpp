// One accepted connection: reads requests with Beast's parser (with limits),
// answers them through Routes, and hands the connection to eudiplo_sse::boost_asio::SseStreamWriter
// when the answer is an events stream.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <eudiplo_sse/events_route.hpp>

#include "routes.hpp"

namespace beast_host {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` must have been accepted on a strand: the writer relies on it.
  HttpSession(boost::asio::ip::tcp::socket socket, const Routes& routes,
              eudiplo_sse::EventsRoute& events);

  void run();

 private:
  void read_request();
  void on_read(boost::beast::error_code ec);
  void send(Response response);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  const Routes& routes_;
  eudiplo_sse::EventsRoute& events_;
};

}  // namespace beast_host
