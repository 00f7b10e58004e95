// With the `with_boost_asio` option: the Boost.Asio flavour of the component's
// writer carries one formatted status event from a loopback socket to a client,
// and ends the response. The client reads to EOF and checks the chunked body.
#include <eudiplo_sse/boost_asio/sse_stream_writer.hpp>
#include <eudiplo_sse/http.hpp>
#include <eudiplo_sse/session.hpp>
#include <eudiplo_sse/status_event.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

#include <chrono>
#include <string>

bool boost_asio_writer_delivers(const eudiplo_sse::Session& session) {
  namespace net = boost::asio;
  using net::ip::tcp;
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();

  auto head = eudiplo_sse::format_response_head(200, {{"Content-Type", "text/event-stream"}});
  auto writer = eudiplo_sse::boost_asio::SseStreamWriter<tcp::socket>::start(std::move(server),
                                                                             std::move(head));
  auto event = eudiplo_sse::make_status_event(session);
  writer->write(eudiplo_sse::sse_bytes(event));
  writer->close();

  std::string received;
  boost::system::error_code ec;
  io.run_for(std::chrono::seconds(5));                   // the writer's strand sends and closes
  net::read(client, net::dynamic_buffer(received), ec);  // to EOF
  return received.rfind("HTTP/1.1 200", 0) == 0 && received.find(event->sse) != std::string::npos &&
         received.find("\r\n0\r\n\r\n") != std::string::npos;
}
