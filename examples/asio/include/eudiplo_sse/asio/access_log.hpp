// One line per answered request, for operators. Tokens never reach the log: a
// query parameter whose name contains "token" is written as `token=REDACTED`,
// and no request field (Authorization included) is ever logged.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace eudiplo_sse::http {

struct AccessLogEntry {
  std::string_view remote;  // "127.0.0.1:53211"
  std::string_view method;  // "-" when the request line could not be read
  std::string_view target;  // raw request target; redacted when formatted
  int status = 0;
  std::chrono::microseconds duration{0};  // until the head was handed to the socket
  bool stream = false;                    // an SSE response that stays open
};

using AccessLogSink = std::function<void(const AccessLogEntry&)>;

// The target with the value of every `*token*` query parameter replaced.
std::string redact_target(std::string_view target);

// `<remote> "<METHOD> <target>" <status> <duration>ms[ stream]`, no newline.
std::string format_access_log(const AccessLogEntry& entry);

// Writes formatted lines to stderr through stderr_lines(): lines never interleave,
// and a stderr nobody reads never stalls a request.
AccessLogSink stderr_access_log();

}  // namespace eudiplo_sse::http
