// The SSE stream writer on Boost.Asio (component `boost_asio`, target
// eudiplo_sse::boost_asio); a Beast host passes its beast::tcp_stream:
//
//   auto writer = eudiplo_sse::boost_asio::SseStreamWriter<beast::tcp_stream>::start(
//       std::move(stream), eudiplo_sse::format_response_head(response.status, response.headers));
//   route.open(std::move(response), writer);
//
// The logic is BasicSseStreamWriter's; this header only binds it to boost::asio.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include "eudiplo_sse/http.hpp"
#include "eudiplo_sse/net/basic_sse_stream_writer.hpp"

namespace eudiplo_sse::boost_asio {

struct Net {
  using error_code = ::boost::system::error_code;
  using executor = ::boost::asio::any_io_executor;
  using steady_timer = ::boost::asio::steady_timer;
  using const_buffer = ::boost::asio::const_buffer;
  using mutable_buffer = ::boost::asio::mutable_buffer;

  template <class Executor>
  static executor make_strand(const Executor& ex) {
    return ::boost::asio::make_strand(ex);
  }
  template <class Handler>
  static void post(const executor& ex, Handler&& handler) {
    ::boost::asio::post(ex, std::forward<Handler>(handler));
  }
  template <class Handler>
  static auto bind(const executor& ex, Handler&& handler) {
    return ::boost::asio::bind_executor(ex, std::forward<Handler>(handler));
  }
  template <class Stream, class Buffers, class Handler>
  static void async_write(Stream& stream, Buffers&& buffers, Handler&& handler) {
    ::boost::asio::async_write(stream, std::forward<Buffers>(buffers),
                               std::forward<Handler>(handler));
  }
};

template <class Stream>
using SseStreamWriter = BasicSseStreamWriter<Net, Stream>;

}  // namespace eudiplo_sse::boost_asio
