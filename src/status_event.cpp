#include "eudiplo_sse/status_event.hpp"

#include <charconv>
#include <cstring>
#include <string>

#include "eudiplo_sse/detail/tail_allocator.hpp"
#include "eudiplo_sse/iso8601.hpp"
#include "eudiplo_sse/session_json.hpp"

namespace eudiplo_sse {
namespace {

constexpr std::string_view kIdField = "id: ";
constexpr std::string_view kDataField = "\ndata: ";
constexpr std::string_view kEnd = "\n\n";
constexpr std::string_view kJsonId = R"({"id":")";
constexpr std::string_view kJsonStatus = R"(","status":")";
constexpr std::string_view kJsonUpdated = R"(","updatedAt":")";
constexpr std::string_view kJsonEnd = "\"}";

// Writes into a buffer sized beforehand (the event's tail).
class Cursor {
 public:
  explicit Cursor(char* at) noexcept : at_(at) {}
  Cursor& put(std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(at_, s.data(), s.size());
    at_ += s.size();
    return *this;
  }
  char* at() const noexcept { return at_; }
  void skip(std::size_t n) noexcept { at_ += n; }

 private:
  char* at_;
};

// {"id","status","updatedAt"} for ids that pass is_valid_session_id: their
// characters, the status names and the timestamp never need JSON escaping, so the
// output equals what RapidJSON writes. Its length is known before writing.
std::size_t plain_status_json_length(const Session& s) noexcept {
  return kJsonId.size() + s.id.size() + kJsonStatus.size() + to_string(s.status).size() +
         kJsonUpdated.size() + iso8601_length + kJsonEnd.size();
}

void put_plain_status_json(Cursor& out, const Session& s) noexcept {
  out.put(kJsonId).put(s.id).put(kJsonStatus).put(to_string(s.status)).put(kJsonUpdated);
  format_iso8601(s.updated_at, out.at());
  out.skip(iso8601_length);
  out.put(kJsonEnd);
}

}  // namespace

// Formatted once per change, on the publishing thread, into the event's own
// allocation: this is on the path of every status change. The tail holds the
// session id, the tenant and the SSE bytes, each sized before anything is written.
// The framing is what append_sse_event() produces for a one-line payload; the unit
// tests hold the two equal.
StatusEventPtr make_status_event(const Session& s) {
  char version[24];
  const auto res = std::to_chars(version, version + sizeof version, s.version);
  const std::string_view version_text(version, static_cast<std::size_t>(res.ptr - version));

  // A host's own store may hold ids we would refuse; RapidJSON escapes them (and
  // JSON never contains a raw line break, so it stays one data line). Rare: only
  // that path pays a second, temporary allocation.
  const bool plain = is_valid_session_id(s.id);
  const std::string escaped = plain ? std::string() : status_event_json(s);
  const std::size_t json_length = plain ? plain_status_json_length(s) : escaped.size();
  const std::size_t sse_length =
      kIdField.size() + version_text.size() + kDataField.size() + json_length + kEnd.size();

  char* tail = nullptr;
  auto e = detail::allocate_shared_with_tail<StatusEvent>(
      s.id.size() + s.tenant.size() + sse_length, &tail);
  Cursor out(tail);
  e->session_id = std::string_view(out.at(), s.id.size());
  out.put(s.id);
  e->tenant = std::string_view(out.at(), s.tenant.size());
  out.put(s.tenant);
  e->status = s.status;
  e->version = s.version;
  e->updated_at = s.updated_at;

  char* const sse = out.at();
  out.put(kIdField).put(version_text).put(kDataField);
  e->json_offset_ = static_cast<std::size_t>(out.at() - sse);
  if (plain) {
    put_plain_status_json(out, s);
  } else {
    out.put(escaped);
  }
  e->json_length_ = json_length;
  out.put(kEnd);
  e->sse = std::string_view(sse, sse_length);
  return e;
}

}  // namespace eudiplo_sse
