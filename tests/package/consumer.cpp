// What a host does first with the library, compiled against an installed or
// add_subdirectory()'d eudiplo_sse: the headers must be self-contained and
// warning-free, every symbol used here must link, and the whole path from a
// status change to the bytes of an SSE stream must work. Exits 0 on success.
#include <eudiplo_sse/error.hpp>
#include <eudiplo_sse/events_route.hpp>
#include <eudiplo_sse/in_memory_session_store.hpp>
#include <eudiplo_sse/session_service.hpp>
#include <eudiplo_sse/sse_format.hpp>
#include <eudiplo_sse/status_publisher.hpp>
#include <eudiplo_sse/version.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"x.y.z\" (the version the package claims to be)"
#endif

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

// A host's writer, reduced to recording what the route writes.
class RecordingWriter final : public eudiplo_sse::SseWriter {
 public:
  eudiplo_sse::WriteResult write(eudiplo_sse::SharedBytes bytes) override {
    if (closed) return eudiplo_sse::WriteResult::closed;
    body += *bytes;
    return eudiplo_sse::WriteResult::accepted;
  }
  void close() override { closed = true; }
  void on_writable(std::function<void()>) override {}
  void on_closed(std::function<void()> callback) override { on_closed_ = std::move(callback); }

  // What the host's I/O does once the last byte after close() is out.
  void finish() {
    if (on_closed_) on_closed_();
  }

  std::string body;
  bool closed = false;

 private:
  std::function<void()> on_closed_;
};

// Any token is valid for tenant "t"; JWT verification has tests of its own.
class AcceptingVerifier final : public eudiplo_sse::TokenVerifier {
 public:
  eudiplo_sse::VerifyResult verify(std::string_view token,
                                   eudiplo_sse::TimePoint now) const override {
    eudiplo_sse::VerifyResult r;
    if (token.empty()) {
      r.error = eudiplo_sse::error::token_missing;
      return r;
    }
    r.principal.tenant = "t";
    r.principal.expires_at = now + std::chrono::hours(1);
    return r;
  }
};

}  // namespace

int main() {
  using namespace eudiplo_sse;

  expect(std::strcmp(EUDIPLO_SSE_VERSION_STRING, EXPECTED_VERSION) == 0,
         "version.hpp says the version the package was found as");
  expect(std::strcmp(version_string, EXPECTED_VERSION) == 0, "eudiplo_sse::version_string");

  expect(format_sse_event({"7", "", "a\nb"}) == "id: 7\ndata: a\ndata: b\n\n",
         "format_sse_event splits data lines");
  expect(!make_error_code(error::session_not_found).message().empty(),
         "error category has messages");

  InMemorySessionStore store;
  StatusPublisher publisher;
  SessionService sessions(store, publisher);
  CreateResult created = sessions.create("t", std::chrono::seconds(60));
  expect(!created.error, "create a session");
  expect(created.session.status == SessionStatus::active && created.session.version == 1,
         "a new session is active, version 1");

  AcceptingVerifier verifier;
  EventsRoute route(verifier, sessions);
  const std::string id = created.session.id;

  EventsResponse refused = route.check({id, "", "", ""});
  expect(refused.status == 401, "no token: 401");

  EventsResponse response = route.check({id, "any-token", "", ""});
  expect(response.is_stream(), "a valid request opens a stream");
  auto writer = std::make_shared<RecordingWriter>();
  route.open(std::move(response), writer);
  sessions.set_status("t", id, SessionStatus::fetched);
  sessions.set_status("t", id, SessionStatus::completed);

  const std::string& body = writer->body;
  const auto first = body.find("id: 1\n");
  const auto second = body.find("id: 2\n");
  const auto third = body.find("id: 3\n");
  expect(body.rfind("retry: ", 0) == 0, "the stream starts with retry:");
  expect(first != std::string::npos && second != std::string::npos && third != std::string::npos &&
             first < second && second < third,
         "events 1, 2, 3 arrive in order");
  expect(body.find("\"status\":\"completed\"") != std::string::npos, "the terminal event arrives");
  expect(writer->closed, "the route ends the response after the terminal event");
  writer->finish();
  expect(route.stats().open_streams == 0, "the stream is released once the response ended");

  if (failures == 0) std::printf("eudiplo_sse %s: consumer OK\n", version_string);
  return failures == 0 ? 0 : 1;
}
