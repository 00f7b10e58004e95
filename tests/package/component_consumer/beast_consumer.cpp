// A Boost.Beast host built against the installed package with
// find_package(eudiplo_sse COMPONENTS boost_asio): it mounts the route with
// mounts/beast_events_mount.hpp and serves two connections (a refusal, then one
// session followed to `completed` by a real client). Exits 0 on success.
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "../mounts/beast_events_mount.hpp"
#include "lifecycle_client.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

int main() {
  consumer::Library lib;
  net::io_context ioc;
  auto guard = net::make_work_guard(ioc);
  net::steady_timer ticker(ioc);
  beast_mount::tick_every_second(ticker, lib.route);
  std::thread io([&] { ioc.run(); });

  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  std::thread host([&] {
    for (int i = 0; i < 2; ++i) {
      beast::tcp_stream stream(acceptor.accept(net::make_strand(ioc)));
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(stream, buffer, request);
      auto send = [&](http::response<http::string_body> res) {
        res.keep_alive(false);
        http::write(stream, res);
        stream.socket().shutdown(tcp::socket::shutdown_send);
      };
      consumer::expect(beast_mount::serve_events(lib.route, stream, request, send),
                       "the mount takes the events route's requests");
    }
  });
  consumer::follow_session(lib, port);

  host.join();
  ticker.cancel();
  lib.route.close_all();
  guard.reset();
  io.join();
  std::printf("%s\n", consumer::failures == 0 ? "beast consumer OK" : "beast consumer FAILED");
  return consumer::failures == 0 ? 0 : 1;
}
