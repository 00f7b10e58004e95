// A standalone-Asio host built against the installed package with
// find_package(eudiplo_sse COMPONENTS asio): it mounts the route with
// mounts/asio_events_mount.hpp and serves two connections (a refusal, then one
// session followed to `completed` by a real client). Its "HTTP layer" is the
// least a test needs: the request line and two headers. Exits 0 on success.
#include <istream>
#include <string>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/strand.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

#include "../mounts/asio_events_mount.hpp"
#include "lifecycle_client.hpp"

using tcp = asio::ip::tcp;

namespace {

struct ParsedRequest {
  std::string method, target, authorization, last_event_id;
};

ParsedRequest read_request(tcp::socket& socket) {
  asio::streambuf buffer;
  asio::read_until(socket, buffer, "\r\n\r\n");
  std::istream in(&buffer);
  ParsedRequest r;
  std::string version, line;
  in >> r.method >> r.target >> version;
  std::getline(in, line);
  while (std::getline(in, line) && line != "\r") {
    if (line.rfind("Authorization: ", 0) == 0) r.authorization = line.substr(15, line.size() - 16);
    if (line.rfind("Last-Event-ID: ", 0) == 0) r.last_event_id = line.substr(15, line.size() - 16);
  }
  return r;
}

}  // namespace

int main() {
  consumer::Library lib;
  asio::io_context ioc;
  auto guard = asio::make_work_guard(ioc);
  asio::steady_timer ticker(ioc);
  asio_mount::tick_every_second(ticker, lib.route);
  std::thread io([&] { ioc.run(); });

  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  std::thread host([&] {
    for (int i = 0; i < 2; ++i) {
      tcp::socket socket = acceptor.accept(asio::make_strand(ioc));
      const ParsedRequest r = read_request(socket);
      auto send = [&](const std::string& bytes) {
        asio::write(socket, asio::buffer(bytes));
        socket.shutdown(tcp::socket::shutdown_send);
      };
      consumer::expect(
          asio_mount::serve_events(lib.route, socket,
                                   {r.method, r.target, r.authorization, r.last_event_id}, send),
          "the mount takes the events route's requests");
    }
  });
  consumer::follow_session(lib, port);

  host.join();
  ticker.cancel();
  lib.route.close_all();
  guard.reset();
  io.join();
  std::printf("%s\n", consumer::failures == 0 ? "asio consumer OK" : "asio consumer FAILED");
  return consumer::failures == 0 ? 0 : 1;
}
