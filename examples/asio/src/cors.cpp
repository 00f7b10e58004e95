#include "eudiplo_sse/asio/cors.hpp"

#include <utility>

namespace eudiplo_sse::http {

CorsPolicy::CorsPolicy(std::vector<std::string> origins) {
  for (auto& o : origins) {
    if (o == "*") {
      any_ = true;
    } else {
      // Browsers send the serialized origin without a trailing slash.
      while (!o.empty() && o.back() == '/') o.pop_back();
      if (!o.empty()) origins_.push_back(std::move(o));
    }
  }
}

bool CorsPolicy::allows(std::string_view origin) const noexcept {
  if (origin.empty()) return false;
  if (any_) return true;
  for (const auto& o : origins_) {
    // Scheme and host are case-insensitive; the serialized form is lower case anyway.
    if (iequals(o, origin)) return true;
  }
  return false;
}

bool CorsPolicy::is_preflight(const HttpRequest& request) noexcept {
  return request.method == "OPTIONS" && request.has_field("Origin") &&
         request.has_field("Access-Control-Request-Method");
}

std::vector<HttpField> CorsPolicy::response_fields(std::string_view origin) const {
  std::vector<HttpField> out;
  if (!enabled()) return out;
  if (!allows(origin)) {
    // The answer differs by origin, so caches must key on it even when refusing.
    if (!any_) out.push_back({"Vary", "Origin"});
    return out;
  }
  if (any_) {
    out.push_back({"Access-Control-Allow-Origin", "*"});
  } else {
    out.push_back({"Access-Control-Allow-Origin", std::string(origin)});
    out.push_back({"Access-Control-Allow-Credentials", "true"});
    out.push_back({"Vary", "Origin"});
  }
  out.push_back({"Access-Control-Expose-Headers", "WWW-Authenticate"});
  return out;
}

HttpResponse CorsPolicy::preflight(const HttpRequest& request, std::string_view allow) const {
  HttpResponse r;
  r.status = 204;
  std::string methods(allow);
  if (methods.find("OPTIONS") == std::string::npos) {
    if (!methods.empty()) methods.append(", ");
    methods.append("OPTIONS");
  }
  r.set("Allow", methods);
  const auto origin = request.field("Origin");
  if (!enabled() || !allows(origin)) {
    if (enabled() && !any_) r.set("Vary", "Origin");
    return r;
  }
  if (any_) {
    r.set("Access-Control-Allow-Origin", "*");
  } else {
    r.set("Access-Control-Allow-Origin", std::string(origin));
    r.set("Access-Control-Allow-Credentials", "true");
    r.set("Vary", "Origin");
  }
  r.set("Access-Control-Allow-Methods", methods);
  r.set("Access-Control-Allow-Headers", std::string(allowed_headers));
  r.set("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace eudiplo_sse::http
