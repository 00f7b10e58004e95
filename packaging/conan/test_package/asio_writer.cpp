// With the `with_asio` option: the component's writer carries one formatted
// status event from a loopback socket to a client, and ends the response. The
// client reads to EOF and checks the chunked body holds the event.
#include <eudiplo_sse/asio/sse_stream_writer.hpp>
#include <eudiplo_sse/http.hpp>
#include <eudiplo_sse/session.hpp>
#include <eudiplo_sse/status_event.hpp>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>

#include <chrono>
#include <string>

bool asio_writer_delivers(const eudiplo_sse::Session& session) {
  using asio::ip::tcp;
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();

  auto head = eudiplo_sse::format_response_head(200, {{"Content-Type", "text/event-stream"}});
  auto writer = eudiplo_sse::standalone_asio::SseStreamWriter<tcp::socket>::start(std::move(server),
                                                                                  std::move(head));
  auto event = eudiplo_sse::make_status_event(session);
  writer->write(eudiplo_sse::sse_bytes(event));
  writer->close();

  std::string received;
  std::error_code ec;
  io.run_for(std::chrono::seconds(5));                     // the writer's strand sends and closes
  asio::read(client, asio::dynamic_buffer(received), ec);  // to EOF
  return received.rfind("HTTP/1.1 200", 0) == 0 && received.find(event->sse) != std::string::npos &&
         received.find("\r\n0\r\n\r\n") != std::string::npos;
}
