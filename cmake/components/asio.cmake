# find_package(eudiplo_sse COMPONENTS asio): eudiplo_sse::asio, the SSE stream writer
# on standalone Asio (header-only; needs asio::asio, found or made here).
include("${CMAKE_CURRENT_LIST_DIR}/eudiplo_sse_dependencies.cmake")
eudiplo_sse_find_asio(QUIET)
if(TARGET asio::asio)
  eudiplo_sse_include_component_targets(asio)
else()
  set(eudiplo_sse_NOT_FOUND_MESSAGE "component asio needs standalone Asio (Debian: libasio-dev)")
endif()
