// One parsed HTTP/1.x request, as the parser hands it to the router.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eudiplo_sse::http {

struct HttpField {
  std::string name;   // as received; compare with iequals()
  std::string value;  // leading and trailing whitespace removed
};

struct HttpRequest {
  std::string method;     // case-sensitive, as HTTP defines it ("GET", "POST", ...)
  std::string target;     // raw request target: path and query, still percent-encoded
  int version_minor = 1;  // HTTP/1.<minor>
  std::vector<HttpField> fields;
  std::string body;
  bool keep_alive = true;  // from the version and the Connection header

  // The first field called `name` (case-insensitive), or empty.
  std::string_view field(std::string_view name) const noexcept;
  bool has_field(std::string_view name) const noexcept;

  // The target up to '?', still encoded.
  std::string_view raw_path() const noexcept;
  // The target after '?', still encoded; empty when there is none.
  std::string_view raw_query() const noexcept;
};

// ASCII case-insensitive comparison, as field names and tokens need.
bool iequals(std::string_view a, std::string_view b) noexcept;

// Whether a comma-separated field value (e.g. Connection) holds `token`, case-insensitively.
bool has_token(std::string_view list, std::string_view token) noexcept;

}  // namespace eudiplo_sse::http
