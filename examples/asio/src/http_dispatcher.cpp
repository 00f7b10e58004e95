#include "eudiplo_sse/asio/http_dispatcher.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "eudiplo_sse/http_target.hpp"

namespace eudiplo_sse::http {
namespace {

void add_fields(std::vector<HttpField>& to, const std::vector<HttpField>& extra) {
  to.insert(to.end(), extra.begin(), extra.end());
}

// Adds the CORS fields to an answer given later.
class CorsDeferred final : public DeferredResponse {
 public:
  CorsDeferred(std::shared_ptr<DeferredResponse> inner, std::vector<HttpField> extra)
      : inner_(std::move(inner)), extra_(std::move(extra)) {}

  void respond(HttpResponse response) override {
    add_fields(response.fields, extra_);
    inner_->respond(std::move(response));
  }

  std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) override {
    add_fields(fields, extra_);
    return inner_->respond_stream(status, std::move(fields));
  }

 private:
  std::shared_ptr<DeferredResponse> inner_;
  const std::vector<HttpField> extra_;
};

// Adds the CORS fields to whatever the handler answers.
class CorsExchange final : public HttpExchange {
 public:
  CorsExchange(HttpExchange& inner, std::vector<HttpField> extra)
      : inner_(inner), extra_(std::move(extra)) {}

  const HttpRequest& request() const noexcept override { return inner_.request(); }

  void respond(HttpResponse response) override {
    add_fields(response.fields, extra_);
    inner_.respond(std::move(response));
  }

  std::shared_ptr<SseWriter> respond_stream(int status, std::vector<HttpField> fields) override {
    add_fields(fields, extra_);
    return inner_.respond_stream(status, std::move(fields));
  }

  std::shared_ptr<DeferredResponse> defer() override {
    auto inner = inner_.defer();
    if (!inner) return nullptr;
    return std::make_shared<CorsDeferred>(std::move(inner), std::move(extra_));
  }

  bool responded() const noexcept override { return inner_.responded(); }

 private:
  HttpExchange& inner_;
  std::vector<HttpField> extra_;
};

void answer(HttpExchange& exchange, HttpResponse response) noexcept {
  try {
    if (!exchange.responded()) exchange.respond(std::move(response));
  } catch (...) {
    // Out of memory while answering: the connection closes without a response.
  }
}

}  // namespace

void HttpDispatcher::operator()(HttpExchange& raw) const noexcept {
  try {
    const auto& request = raw.request();
    CorsExchange exchange(raw, cors_.response_fields(request.field("Origin")));

    if (!parse_query(request.raw_query())) {
      answer(exchange, HttpResponse::error(400, "malformed percent-encoding in the query"));
      return;
    }
    const bool options = request.method == "OPTIONS";
    auto match = router_.match(request.method, request.raw_path());
    switch (match.kind) {
      case Router::Match::Kind::bad_path:
        answer(exchange, HttpResponse::error(400, "malformed percent-encoding in the path"));
        return;
      case Router::Match::Kind::not_found:
        answer(exchange, HttpResponse::error(404, "no such route"));
        return;
      case Router::Match::Kind::method_not_allowed:
        if (options) {
          // Preflight or plain OPTIONS; its own CORS fields, not the generic ones.
          answer(raw, cors_.preflight(request, match.allow));
          return;
        } else {
          auto r = HttpResponse::error(405, "method not allowed on this route");
          r.set("Allow", match.allow);
          answer(exchange, std::move(r));
          return;
        }
      case Router::Match::Kind::found: break;
    }
    try {
      (*match.handler)(exchange, match.params);
    } catch (...) {
      // Fall through to the 500 below; the message may hold request data.
    }
    answer(exchange, HttpResponse::error(500, "internal error"));
  } catch (...) {
    answer(raw, HttpResponse::error(500, "internal error"));
  }
}

}  // namespace eudiplo_sse::http
