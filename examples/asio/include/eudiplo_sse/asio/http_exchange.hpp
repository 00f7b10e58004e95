// One request being answered: what a route handler sees of the connection.
//
// A handler answers exactly once, in one of two ways:
// - before it returns, with respond() (a complete response) or respond_stream()
//   (the head of a streaming one);
// - later, from any thread: defer() hands out a DeferredResponse, and the
//   handler returns at once. This is how a handler waits for a store across the
//   network (EventsRoute::async_check, SessionService::async_*) without holding
//   an I/O thread. The connection reads no further request until the deferred
//   answer has gone out, so pipelined requests are answered in order.
// Handlers run on the server's threads and must not block.
#pragma once

#include <memory>
#include <vector>

#include "eudiplo_sse/asio/http_request.hpp"
#include "eudiplo_sse/asio/http_response.hpp"
#include "eudiplo_sse/sse_writer.hpp"

namespace eudiplo_sse::http {

// The answer to one request, given later (see HttpExchange::defer()).
//
// Thread safety: every member may be called from any thread; the first answer
// wins and any later one is ignored.
//
// While it waits, the connection keeps its limits: a client that leaves is
// noticed and its connection closed (the answer, when it comes, is dropped), and
// an answer that takes longer than HttpServerOptions::response_timeout is
// replaced by a 503. Dropping the last reference without answering answers 500.
class DeferredResponse {
 public:
  virtual ~DeferredResponse() = default;

  // As HttpExchange::respond().
  virtual void respond(HttpResponse response) = 0;

  // As HttpExchange::respond_stream(). Returns a writer even when the client has
  // gone meanwhile: its writes then answer `closed` and on_closed fires, so the
  // library's stream ends as for any departed client. Null only when this
  // response has already been answered.
  virtual std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) = 0;
};

class HttpExchange {
 public:
  virtual ~HttpExchange() = default;

  // Valid until the handler returns: a deferred answer copies what it needs.
  virtual const HttpRequest& request() const noexcept = 0;

  // A complete response; the connection stays open when the request allows it.
  virtual void respond(HttpResponse response) = 0;

  // Sends `status` and `fields` with `Connection: close` and no length or chunked
  // coding: the body is whatever goes through the returned writer, and the
  // response ends when the writer closes. Bytes written before the handler
  // returns leave together with the head.
  virtual std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) = 0;

  // The answer will come later, through the returned object (null when this
  // exchange has already been answered or deferred).
  virtual std::shared_ptr<DeferredResponse> defer() = 0;

  // True once answered, or deferred.
  virtual bool responded() const noexcept = 0;
};

}  // namespace eudiplo_sse::http
