// Turns a request into a route handler call: CORS (preflight included), strict
// percent-decoding of path and query (400), 404 and 405 with JSON bodies, and a
// 500 when a handler throws or forgets to answer. The result is the request
// handler an HttpServer runs.
#pragma once

#include "eudiplo_sse/asio/cors.hpp"
#include "eudiplo_sse/asio/http_exchange.hpp"
#include "eudiplo_sse/asio/router.hpp"

namespace eudiplo_sse::http {

class HttpDispatcher {
 public:
  HttpDispatcher(Router router, CorsPolicy cors)
      : router_(std::move(router)), cors_(std::move(cors)) {}

  // Never throws.
  void operator()(HttpExchange& exchange) const noexcept;

  const Router& router() const noexcept { return router_; }
  const CorsPolicy& cors() const noexcept { return cors_; }

 private:
  Router router_;
  CorsPolicy cors_;
};

}  // namespace eudiplo_sse::http
