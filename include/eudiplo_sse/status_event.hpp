// One status change, formatted once: the JSON data and the complete SSE event
// bytes are built when the event is made and shared by every subscriber.
//
// An event is one allocation: the shared ownership, these fields and the bytes
// the string_views below point to (session id, tenant, SSE bytes) sit in one
// block, so the views are valid as long as the event is (issue 12).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "eudiplo_sse/export.hpp"
#include "eudiplo_sse/session.hpp"
#include "eudiplo_sse/shared_bytes.hpp"

namespace eudiplo_sse {

struct StatusEvent;
using StatusEventPtr = std::shared_ptr<const StatusEvent>;

// The one way to make an event: it formats the bytes and records where the JSON is.
EUDIPLO_SSE_EXPORT StatusEventPtr make_status_event(const Session& s);

struct StatusEvent {
  std::string_view session_id;
  std::string_view tenant;
  SessionStatus status = SessionStatus::active;
  std::uint64_t version = 0;
  TimePoint updated_at{};
  std::string_view sse;  // "id: <version>\ndata: <json>\n\n", the bytes every subscriber gets

  // The data: {"id","status","updatedAt"} (one line, a view into `sse`).
  std::string_view json() const noexcept { return sse.substr(json_offset_, json_length_); }

  StatusEvent() = default;
  // The views point into the event's own allocation: a copy would outlive them.
  StatusEvent(const StatusEvent&) = delete;
  StatusEvent& operator=(const StatusEvent&) = delete;

 private:
  friend StatusEventPtr make_status_event(const Session& s);
  std::size_t json_offset_ = 0;  // where json() starts in `sse`
  std::size_t json_length_ = 0;
};

// The event's SSE bytes as SharedBytes, sharing ownership with the event (no copy,
// no allocation).
inline SharedBytes sse_bytes(const StatusEventPtr& e) { return SharedBytes(e, &e->sse); }

}  // namespace eudiplo_sse
