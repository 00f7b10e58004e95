#include "eudiplo_sse/status_event.hpp"

#include <charconv>

#include "eudiplo_sse/session_json.hpp"
#include "eudiplo_sse/sse_format.hpp"

namespace eudiplo_sse {

StatusEventPtr make_status_event(const Session& s) {
  auto e = std::make_shared<StatusEvent>();
  e->session_id = s.id;
  e->tenant = s.tenant;
  e->status = s.status;
  e->version = s.version;
  e->updated_at = s.updated_at;
  e->json = status_event_json(s);

  char id[24];
  const auto res = std::to_chars(id, id + sizeof id, s.version);
  // The id is digits and the JSON is one line, so the event cannot be refused.
  append_sse_event(e->sse, {std::string_view(id, static_cast<std::size_t>(res.ptr - id)), {},
                            e->json});
  return e;
}

}  // namespace eudiplo_sse
