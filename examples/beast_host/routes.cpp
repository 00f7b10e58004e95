#include "routes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <eudiplo_sse/error.hpp>
#include <eudiplo_sse/http_target.hpp>

namespace beast_host {

namespace http = boost::beast::http;

namespace {

struct Target {
  std::vector<std::string> segments;  // decoded path segments
  std::string token;                  // decoded `token` query parameter
};

// With the library's one percent-decoder, so this host and the Asio one agree.
std::optional<Target> parse_target(std::string_view target) {
  const auto q = target.find('?');
  auto segments = eudiplo_sse::decode_path(target.substr(0, q));
  auto params = eudiplo_sse::parse_query(q == std::string_view::npos ? "" : target.substr(q + 1));
  if (!segments || !params) return std::nullopt;
  Target t{std::move(*segments), {}};
  if (const std::string* token = eudiplo_sse::find_param(*params, "token")) t.token = *token;
  return t;
}

Response make_response(const Request& request, int status, std::string body,
                       const std::vector<eudiplo_sse::HttpHeader>& headers = {}) {
  Response res{static_cast<http::status>(status), request.version()};
  res.keep_alive(request.keep_alive());
  res.set(http::field::cache_control, "no-store");
  if (!body.empty()) res.set(http::field::content_type, "application/json");
  for (const auto& h : headers) res.set(h.name, h.value);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response to_response(const Request& request, eudiplo_sse::EventsResponse refusal) {
  return make_response(request, refusal.status, std::move(refusal.body), refusal.headers);
}

Response error_response(const Request& request, int status, std::string_view message) {
  return to_response(request, eudiplo_sse::refuse(status, message));
}

// `name` is an http::field or a header name; empty when absent.
template <class Name>
std::string_view header(const Request& request, Name name) {
  auto it = request.find(name);
  return it == request.end() ? std::string_view{} : std::string_view(it->value());
}

}  // namespace

Routes::Routes(eudiplo_sse::SessionService& sessions, const eudiplo_sse::TokenVerifier& verifier,
               const eudiplo_sse::EventsRoute& events, std::chrono::seconds session_ttl)
    : events_(events), sessions_api_(verifier, sessions, auth_failures_, [&] {
        eudiplo_sse::examples::SessionApiOptions options;
        options.default_ttl = session_ttl;
        return options;
      }()) {}

Answer Routes::handle(const Request& request) const {
  Answer answer;
  const auto events_target = eudiplo_sse::parse_events_target(request.target());
  if (events_target.matched && request.method() == http::verb::get) {
    answer.events = events_target.malformed
                        ? eudiplo_sse::refuse(400, "malformed request target")
                        : events_.check({events_target.session_id, events_target.query_token,
                                         header(request, http::field::authorization),
                                         header(request, std::string_view("Last-Event-ID"))});
    if (!answer.events.is_stream())
      answer.response = to_response(request, std::move(answer.events));
    return answer;
  }

  const auto target = parse_target(request.target());
  if (!target) {
    answer.response = error_response(request, 400, "malformed request target");
    return answer;
  }
  const std::vector<std::string>& path = target->segments;
  if (path.size() == 1 && path[0] == "healthz" && request.method() == http::verb::get) {
    answer.response = make_response(
        request, 200,
        R"({"status":"ok","openStreams":)" + std::to_string(events_.stats().open_streams) + "}");
    return answer;
  }
  if (path.empty() || path[0] != "session" || path.size() > 2) {
    answer.response = error_response(request, 404, "no such route");
    return answer;
  }
  std::optional<std::string_view> id;
  if (path.size() == 2) id = path[1];
  auto r = sessions_api_.handle({std::string_view(request.method_string()), id,
                                 header(request, http::field::authorization),
                                 std::string_view(request.body())});
  answer.response = make_response(request, r.status, std::move(r.body), r.headers);
  return answer;
}

}  // namespace beast_host
