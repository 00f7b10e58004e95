# find_package(eudiplo_sse COMPONENTS boost_asio): eudiplo_sse::boost_asio, the SSE
# stream writer on Boost.Asio, for Boost.Beast hosts (header-only; needs Boost::headers).
include("${CMAKE_CURRENT_LIST_DIR}/eudiplo_sse_dependencies.cmake")
eudiplo_sse_find_boost(QUIET)
if(TARGET Boost::headers)
  eudiplo_sse_include_component_targets(boost_asio)
else()
  set(eudiplo_sse_NOT_FOUND_MESSAGE "component boost_asio needs Boost >= 1.74 headers (Debian: libboost-dev)")
endif()
