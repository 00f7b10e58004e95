#include "eudiplo_sse/status_event.hpp"

#include <charconv>

#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_json.hpp"

namespace eudiplo_sse {
namespace {

// {"id","status","updatedAt"} written directly. Only for ids that pass
// is_valid_session_id: their characters, the status names and the timestamp
// never need JSON escaping, so the output equals what RapidJSON writes.
void append_plain_status_json(std::string& out, const Session& s) {
  out.append(R"({"id":")").append(s.id);
  out.append(R"(","status":")").append(to_string(s.status));
  out.append(R"(","updatedAt":")");
  const std::size_t at = out.size();
  out.resize(at + iso8601_length);
  format_iso8601(s.updated_at, &out[at]);
  out.append("\"}");
}

}  // namespace

// Formatted once per change, in one buffer, on the publishing thread: this is on
// the path of every status change, so it avoids the general formatter's scans.
// The framing is what append_sse_event() produces for a one-line payload; the
// unit tests hold the two equal.
StatusEventPtr make_status_event(const Session& s) {
  auto e = std::make_shared<StatusEvent>();
  e->session_id = s.id;
  e->tenant = s.tenant;
  e->status = s.status;
  e->version = s.version;
  e->updated_at = s.updated_at;

  char version[24];
  const auto res = std::to_chars(version, version + sizeof version, s.version);
  std::string& out = e->sse;
  out.reserve(s.id.size() + iso8601_length + 72);
  out.append("id: ").append(version, static_cast<std::size_t>(res.ptr - version));
  out.append("\ndata: ");
  e->json_offset_ = out.size();
  if (is_valid_session_id(s.id)) {
    append_plain_status_json(out, s);
  } else {
    // A host's own store may hold ids we would refuse; RapidJSON escapes them
    // (and JSON never contains a raw line break, so it stays one data line).
    out.append(status_event_json(s));
  }
  e->json_length_ = out.size() - e->json_offset_;
  out.append("\n\n");
  return e;
}

}  // namespace eudiplo_sse
