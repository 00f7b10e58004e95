// Links the packaged library and exercises it once: create a session, change its
// status, and read the SSE event the library formats for it.
#include <eudiplo_sse/in_memory_session_store.hpp>
#include <eudiplo_sse/session_service.hpp>
#include <eudiplo_sse/status_event.hpp>
#include <eudiplo_sse/status_publisher.hpp>
#include <eudiplo_sse/version.hpp>

#include <chrono>
#include <cstdio>

#ifdef EUDIPLO_SSE_TEST_ASIO
bool asio_writer_delivers(const eudiplo_sse::Session& session);  // asio_writer.cpp
#endif
#ifdef EUDIPLO_SSE_TEST_BOOST_ASIO
bool boost_asio_writer_delivers(const eudiplo_sse::Session& session);  // boost_asio_writer.cpp
#endif
#ifdef EUDIPLO_SSE_TEST_REDIS
bool redis_urls_parse();  // redis_url.cpp
#endif

int main() {
  eudiplo_sse::InMemorySessionStore store;
  eudiplo_sse::StatusPublisher publisher;
  eudiplo_sse::SessionService sessions(store, publisher);

  auto created = sessions.create("tenant", std::chrono::seconds(60));
  if (created.error) return 1;
  auto changed =
      sessions.set_status("tenant", created.session.id, eudiplo_sse::SessionStatus::fetched);
  if (changed.error || !changed.changed) return 1;

  auto event = eudiplo_sse::make_status_event(changed.session);
  std::printf("eudiplo_sse %s\n%.*s", eudiplo_sse::version_string,
              static_cast<int>(event->sse.size()), event->sse.data());
  if (event->sse.rfind("id: 2\n", 0) != 0) return 1;
#ifdef EUDIPLO_SSE_TEST_ASIO
  if (!asio_writer_delivers(changed.session)) return 1;
  std::printf("asio component: event delivered over a socket\n");
#endif
#ifdef EUDIPLO_SSE_TEST_BOOST_ASIO
  if (!boost_asio_writer_delivers(changed.session)) return 1;
  std::printf("boost_asio component: event delivered over a socket\n");
#endif
#ifdef EUDIPLO_SSE_TEST_REDIS
  if (!redis_urls_parse()) return 1;
  std::printf("redis component: URLs parsed\n");
#endif
  return 0;
}
