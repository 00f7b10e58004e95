// The SSE stream writer on standalone Asio (component `asio`, target
// eudiplo_sse::asio):
//
//   auto writer = eudiplo_sse::standalone_asio::SseStreamWriter<asio::ip::tcp::socket>::start(
//       std::move(socket), eudiplo_sse::format_response_head(response.status, response.headers));
//   route.open(std::move(response), writer);
//
// The logic is BasicSseStreamWriter's; this header only binds it to ::asio.
#pragma once

#include <system_error>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/bind_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>

#include "eudiplo_sse/http.hpp"
#include "eudiplo_sse/net/basic_sse_stream_writer.hpp"

namespace eudiplo_sse::standalone_asio {

struct Net {
  using error_code = std::error_code;
  using executor = ::asio::any_io_executor;
  using steady_timer = ::asio::steady_timer;
  using const_buffer = ::asio::const_buffer;
  using mutable_buffer = ::asio::mutable_buffer;

  template <class Executor>
  static executor make_strand(const Executor& ex) {
    return ::asio::make_strand(ex);
  }
  template <class Handler>
  static void post(const executor& ex, Handler&& handler) {
    ::asio::post(ex, std::forward<Handler>(handler));
  }
  template <class Handler>
  static auto bind(const executor& ex, Handler&& handler) {
    return ::asio::bind_executor(ex, std::forward<Handler>(handler));
  }
  template <class Stream, class Buffers, class Handler>
  static void async_write(Stream& stream, Buffers&& buffers, Handler&& handler) {
    ::asio::async_write(stream, std::forward<Buffers>(buffers), std::forward<Handler>(handler));
  }
};

template <class Stream>
using SseStreamWriter = BasicSseStreamWriter<Net, Stream>;

}  // namespace eudiplo_sse::standalone_asio
