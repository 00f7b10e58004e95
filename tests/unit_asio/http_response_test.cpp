#include "eudiplo_sse/asio/http_response.hpp"

#include "catch.hpp"

using namespace eudiplo_sse::http;

TEST_CASE("error bodies follow the contract and escape their message", "[response]") {
  CHECK(error_json(404, "session not found") ==
        R"({"statusCode":404,"error":"Not Found","message":"session not found"})");
  CHECK(error_json(400, "a \"b\"\n\x01") ==
        R"({"statusCode":400,"error":"Bad Request","message":"a \"b\"\n\u0001"})");
  CHECK(error_json(431, "x").find("Request Header Fields Too Large") != std::string::npos);
}

TEST_CASE("responses carry their length, and close when asked", "[response]") {
  auto r = HttpResponse::json(201, "{\"a\":1}");
  const auto text = serialize_response(r, true);
  CHECK(text.rfind("HTTP/1.1 201 Created\r\n", 0) == 0);
  CHECK(text.find("\r\nContent-Type: application/json; charset=utf-8\r\n") != std::string::npos);
  CHECK(text.find("\r\nContent-Length: 7\r\n") != std::string::npos);
  CHECK(text.find("Connection: close") == std::string::npos);
  CHECK(text.substr(text.size() - 11) == "\r\n\r\n{\"a\":1}");
  CHECK(serialize_response(r, false).find("\r\nConnection: close\r\n") != std::string::npos);
  // HEAD: the length of the body that is not sent.
  const auto head = serialize_response(r, true, true);
  CHECK(head.find("Content-Length: 7") != std::string::npos);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
}

TEST_CASE("204 has neither body nor length; a stream head has no length", "[response]") {
  HttpResponse r;
  r.status = 204;
  r.body = "ignored";
  const auto text = serialize_response(r, true);
  CHECK(text.find("Content-Length") == std::string::npos);
  CHECK(text.find("ignored") == std::string::npos);
  const auto head =
      serialize_head(200, {{"Content-Type", "text/event-stream"}}, std::nullopt, false);
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(head.find("Transfer-Encoding") == std::string::npos);
  CHECK(head.find("\r\nConnection: close\r\n") != std::string::npos);
}
