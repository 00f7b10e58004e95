#include "eudiplo_sse/session_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "eudiplo_sse/iso8601.hpp"

namespace eudiplo_sse {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_time(Writer& w, TimePoint t) {
  char buf[iso8601_length];
  format_iso8601(t, buf);
  w.String(buf, static_cast<rapidjson::SizeType>(iso8601_length));
}

}  // namespace

std::string status_event_json(const Session& s) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("id");
  write_string(w, s.id);
  w.Key("status");
  write_string(w, to_string(s.status));
  w.Key("updatedAt");
  write_time(w, s.updated_at);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string session_json(const Session& s) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("id");
  write_string(w, s.id);
  w.Key("status");
  write_string(w, to_string(s.status));
  w.Key("version");
  w.Uint64(s.version);
  w.Key("createdAt");
  write_time(w, s.created_at);
  w.Key("updatedAt");
  write_time(w, s.updated_at);
  w.Key("expiresAt");
  write_time(w, s.expires_at);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace eudiplo_sse
