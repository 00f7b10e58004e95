// An HttpExchange that records the answer, for testing handlers without sockets.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eudiplo_sse/asio/http_exchange.hpp"

namespace eudiplo_sse::test {

class FakeExchange final : public http::HttpExchange {
 public:
  explicit FakeExchange(http::HttpRequest request) : request_(std::move(request)) {}

  const http::HttpRequest& request() const noexcept override { return request_; }

  void respond(http::HttpResponse response) override {
    ++answers;
    response_ = std::move(response);
  }

  std::shared_ptr<SseWriter> respond_stream(int status,
                                            std::vector<http::HttpField> fields) override {
    ++answers;
    stream_status = status;
    stream_fields = std::move(fields);
    return nullptr;
  }

  // Answers given through the returned object land here as well (the test keeps
  // this exchange alive for as long as it may answer).
  std::shared_ptr<http::DeferredResponse> defer() override {
    ++answers;
    ++deferrals;
    return std::make_shared<Deferred>(*this);
  }

  bool responded() const noexcept override { return answers > 0; }

  const http::HttpResponse& response() const { return *response_; }
  bool has_response() const { return response_.has_value(); }

  // The value of the first field `name` of the response, or "" when absent.
  std::string field(std::string_view name) const {
    for (const auto& f : response_->fields) {
      if (http::iequals(f.name, name)) return f.value;
    }
    return {};
  }

  int answers = 0;
  int deferrals = 0;
  int stream_status = 0;
  std::vector<http::HttpField> stream_fields;

 private:
  class Deferred final : public http::DeferredResponse {
   public:
    explicit Deferred(FakeExchange& exchange) : exchange_(exchange) {}
    void respond(http::HttpResponse response) override {
      exchange_.response_ = std::move(response);
    }
    std::shared_ptr<SseWriter> respond_stream(int status,
                                              std::vector<http::HttpField> fields) override {
      exchange_.stream_status = status;
      exchange_.stream_fields = std::move(fields);
      return nullptr;
    }

   private:
    FakeExchange& exchange_;
  };

  http::HttpRequest request_;
  std::optional<http::HttpResponse> response_;
};

inline http::HttpRequest make_request(std::string method, std::string target,
                                      std::vector<http::HttpField> fields = {},
                                      std::string body = {}) {
  http::HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.fields = std::move(fields);
  r.body = std::move(body);
  return r;
}

}  // namespace eudiplo_sse::test
