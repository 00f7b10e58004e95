// One request being answered: what a route handler sees of the connection.
//
// A handler answers exactly once, before it returns, with either a complete
// response or the head of a streaming one. Handlers run on the server's threads
// and must not block.
#pragma once

#include <memory>
#include <vector>

#include "eudiplo_sse/asio/http_request.hpp"
#include "eudiplo_sse/asio/http_response.hpp"
#include "eudiplo_sse/sse_writer.hpp"

namespace eudiplo_sse::http {

class HttpExchange {
 public:
  virtual ~HttpExchange() = default;

  virtual const HttpRequest& request() const noexcept = 0;

  // A complete response; the connection stays open when the request allows it.
  virtual void respond(HttpResponse response) = 0;

  // Sends `status` and `fields` with `Connection: close` and no length or chunked
  // coding: the body is whatever goes through the returned writer, and the
  // response ends when the writer closes. Bytes written before the handler
  // returns leave together with the head.
  virtual std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) = 0;

  virtual bool responded() const noexcept = 0;
};

}  // namespace eudiplo_sse::http
