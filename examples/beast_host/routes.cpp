#include "routes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <eudiplo_sse/error.hpp>
#include <eudiplo_sse/session_json.hpp>

namespace beast_host {

namespace http = boost::beast::http;
using eudiplo_sse::Principal;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

struct Target {
  std::vector<std::string> segments;  // decoded path segments
  std::string token;                  // decoded `token` query parameter
};

std::optional<Target> parse_target(std::string_view target) {
  Target t;
  const auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  if (path.empty() || path[0] != '/') return std::nullopt;
  path.remove_prefix(1);
  while (!path.empty()) {
    const auto slash = path.find('/');
    auto segment = percent_decode(path.substr(0, slash));
    if (!segment) return std::nullopt;
    t.segments.push_back(std::move(*segment));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, 6) == "token=") {
      auto value = percent_decode(pair.substr(6));
      if (!value) return std::nullopt;
      t.token = std::move(*value);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
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

Response error_response(const Request& request, int status, std::string_view message) {
  std::vector<eudiplo_sse::HttpHeader> headers;
  if (status == 401) headers.push_back({"WWW-Authenticate", "Bearer"});
  return make_response(request, status, eudiplo_sse::error_body(status, message), headers);
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
    : sessions_(sessions), verifier_(verifier), events_(events), session_ttl_(session_ttl) {}

Answer Routes::handle(const Request& request) const {
  Answer answer;
  const auto target = parse_target(request.target());
  if (!target) {
    answer.response = error_response(request, 400, "malformed request target");
    return answer;
  }
  const std::vector<std::string>& path = target->segments;
  const http::verb method = request.method();

  if (path.size() == 1 && path[0] == "healthz" && method == http::verb::get) {
    answer.response = make_response(
        request, 200,
        R"({"status":"ok","openStreams":)" + std::to_string(events_.stats().open_streams) + "}");
    return answer;
  }

  if (path.size() == 3 && path[0] == "session" && path[2] == "events" &&
      method == http::verb::get) {
    answer.events =
        events_.check({path[1], target->token, header(request, http::field::authorization),
                       header(request, std::string_view("Last-Event-ID"))});
    if (!answer.events.is_stream()) {
      answer.response = make_response(request, answer.events.status, std::move(answer.events.body),
                                      answer.events.headers);
    }
    return answer;
  }

  const bool session_route = !path.empty() && path[0] == "session" && path.size() <= 2;
  if (!session_route) {
    answer.response = error_response(request, 404, "no such route");
    return answer;
  }

  // The other session routes take the token from the Authorization header only.
  const std::string_view token =
      eudiplo_sse::select_token(header(request, http::field::authorization), {});
  const eudiplo_sse::VerifyResult who = verifier_.verify(token, sessions_.now());
  if (who.error) {
    const int status = eudiplo_sse::is_forbidden_error(who.error) ? 403 : 401;
    answer.response = error_response(request, status, who.error.message());
    return answer;
  }

  if (path.size() == 1 && method == http::verb::post) {
    answer.response = create_session(request, who.principal);
  } else if (path.size() == 2 && method == http::verb::get) {
    auto session = sessions_.get(who.principal.tenant, path[1]);
    answer.response = session ? make_response(request, 200, eudiplo_sse::session_json(*session))
                              : error_response(request, 404, "session not found");
  } else if (path.size() == 2 && method == http::verb::patch) {
    answer.response = patch_session(request, who.principal, path[1]);
  } else {
    answer.response = error_response(request, 405, "method not allowed");
  }
  return answer;
}

Response Routes::create_session(const Request& request, const Principal& who) const {
  std::chrono::seconds ttl = session_ttl_;
  if (!request.body().empty()) {
    rapidjson::Document doc;
    doc.Parse(request.body().data(), request.body().size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return error_response(request, 400, "body must be a JSON object");
    }
    auto it = doc.FindMember("ttlSeconds");
    if (it != doc.MemberEnd()) {
      if (!it->value.IsUint() || it->value.GetUint() == 0) {
        return error_response(request, 400, "ttlSeconds must be a positive integer");
      }
      ttl = std::chrono::seconds(it->value.GetUint());
    }
  }
  const eudiplo_sse::CreateResult created = sessions_.create(who.tenant, ttl);
  if (created.error) return error_response(request, 500, "could not create the session");
  return make_response(request, 201, eudiplo_sse::session_json(created.session));
}

Response Routes::patch_session(const Request& request, const Principal& who,
                               const std::string& id) const {
  rapidjson::Document doc;
  doc.Parse(request.body().data(), request.body().size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("status") ||
      !doc["status"].IsString()) {
    return error_response(request, 400, R"(body must be {"status":"..."})");
  }
  const auto to = eudiplo_sse::parse_session_status(
      std::string_view(doc["status"].GetString(), doc["status"].GetStringLength()));
  if (!to) return error_response(request, 400, "unknown status");

  const eudiplo_sse::TransitionResult r = sessions_.set_status(who.tenant, id, *to);
  if (r.error == eudiplo_sse::error::session_not_found) {
    return error_response(request, 404, "session not found");
  }
  if (r.error) return error_response(request, 409, r.error.message());
  return make_response(request, 200, eudiplo_sse::session_json(r.session));
}

}  // namespace beast_host
