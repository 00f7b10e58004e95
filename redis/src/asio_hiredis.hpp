// Drives a hiredis async context from an Asio io_context: hiredis says when it
// wants to read or write (the ev.addRead/delRead/addWrite/delWrite hooks), and we
// async_wait on its socket descriptor and call redisAsyncHandleRead/Write, as the
// libevent/libuv adapters shipped with hiredis do. The descriptor stays owned by
// hiredis (released, never closed, here).
//
// Everything runs on the io_context's one thread: attach, the hooks, the waits.
#pragma once

#include <asio/io_context.hpp>

struct redisAsyncContext;

namespace eudiplo_sse::redis::detail {

// Installs the hooks on `ac`. hiredis calls ev.cleanup when it frees the context,
// which cancels the waits. Returns false if the context has no usable descriptor.
bool attach_to_asio(redisAsyncContext* ac, asio::io_context& io);

}  // namespace eudiplo_sse::redis::detail
