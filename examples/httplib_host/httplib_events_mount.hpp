// The events route mounted in a cpp-httplib host (Debian's libcpp-httplib-dev,
// 0.11) with the library's BlockingSseWriter: the whole of what such a host writes
// for GET /session/{id}/events. docs/integration.md shows this file; the example
// host (examples/httplib_host) is built on it and tests/e2e_httplib drives it.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <httplib.h>
#include <eudiplo_sse/blocking_sse_writer.hpp>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/http_target.hpp>

namespace httplib_mount {

inline void mount_events(httplib::Server& server, eudiplo_sse::EventsRoute& route) {
  server.Get(R"(/session/[^/]+/events)", [&route](const httplib::Request& req,
                                                   httplib::Response& res) {
    // The raw target, with the library's strict decoder (cpp-httplib's accepts %00).
    const auto target = eudiplo_sse::parse_events_target(req.target);
    auto answer = target.malformed ? eudiplo_sse::refuse(400, "malformed request target")
                                   : route.check({target.session_id, target.query_token,
                                                  req.get_header_value("Authorization"),
                                                  req.get_header_value("Last-Event-ID")});
    res.status = answer.status;
    std::string content_type;
    for (const auto& h : answer.headers) {
      if (h.name == "Content-Type") content_type = h.value;  // exactly text/event-stream
      else res.set_header(h.name.c_str(), h.value);
    }
    // cpp-httplib answers HEAD with the GET handler: no stream for it.
    if (!answer.is_stream() || req.method == "HEAD") {
      if (!answer.body.empty()) res.set_content(answer.body, content_type.c_str());
      return;
    }
    res.set_header("Connection", "close");
    auto writer = std::make_shared<eudiplo_sse::BlockingSseWriter>();
    route.open(std::move(answer), writer);
    res.set_chunked_content_provider(
        content_type,
        [writer](std::size_t, httplib::DataSink& sink) {
          const auto step = writer->pump(sink.write, sink.is_writable);
          if (step == eudiplo_sse::BlockingSseWriter::Step::more) return true;
          // Finished: the last chunk, then `false` ends the connection too (cpp-httplib
          // would keep it open, and EventSource waits for its end).
          if (step == eudiplo_sse::BlockingSseWriter::Step::finished) sink.done();
          return false;
        },
        [writer](bool) { writer->ended(); });
  });
}

}  // namespace httplib_mount
