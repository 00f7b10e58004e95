# Shims for dependencies whose packages disagree on how they present themselves.
#
# - RapidJSON: vcpkg and Conan give a `rapidjson` / `RapidJSON::RapidJSON` target;
#   Debian 12's RapidJSONConfig.cmake sets only RAPIDJSON_INCLUDE_DIRS.
# - Asio (standalone): vcpkg and Conan give `asio::asio`; Debian 12 ships headers
#   and no CMake config at all.
# - Boost: its own BoostConfig.cmake (Debian 12, vcpkg, Conan).
# All three are idempotent and leave existing targets alone.

function(eudiplo_sse_find_rapidjson)
  if(TARGET eudiplo_sse_rapidjson)
    return()
  endif()
  find_package(RapidJSON CONFIG QUIET)
  add_library(eudiplo_sse_rapidjson INTERFACE IMPORTED GLOBAL)
  if(TARGET RapidJSON::RapidJSON)
    target_link_libraries(eudiplo_sse_rapidjson INTERFACE RapidJSON::RapidJSON)
  elseif(TARGET rapidjson)
    target_link_libraries(eudiplo_sse_rapidjson INTERFACE rapidjson)
  else()
    find_path(EUDIPLO_SSE_RAPIDJSON_INCLUDE_DIR rapidjson/document.h
      HINTS ${RAPIDJSON_INCLUDE_DIRS} ${RapidJSON_INCLUDE_DIRS})
    if(NOT EUDIPLO_SSE_RAPIDJSON_INCLUDE_DIR)
      message(FATAL_ERROR "RapidJSON not found (Debian: apt-get install rapidjson-dev)")
    endif()
    target_include_directories(eudiplo_sse_rapidjson INTERFACE ${EUDIPLO_SSE_RAPIDJSON_INCLUDE_DIR})
  endif()
endfunction()

# eudiplo_sse_find_asio([QUIET]): with QUIET, a missing Asio is not an error (the
# package config uses it so that consumers without Asio can still link the core).
function(eudiplo_sse_find_asio)
  cmake_parse_arguments(ARG "QUIET" "" "" ${ARGN})
  if(TARGET asio::asio)
    return()
  endif()
  find_package(asio CONFIG QUIET)
  if(TARGET asio::asio)
    return()
  endif()
  find_path(EUDIPLO_SSE_ASIO_INCLUDE_DIR asio.hpp)
  if(NOT EUDIPLO_SSE_ASIO_INCLUDE_DIR)
    if(ARG_QUIET)
      return()
    endif()
    message(FATAL_ERROR "standalone Asio not found (Debian: apt-get install libasio-dev)")
  endif()
  find_package(Threads REQUIRED)
  add_library(asio::asio INTERFACE IMPORTED GLOBAL)
  target_include_directories(asio::asio INTERFACE ${EUDIPLO_SSE_ASIO_INCLUDE_DIR})
  target_compile_definitions(asio::asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
  target_link_libraries(asio::asio INTERFACE Threads::Threads)
endfunction()

# eudiplo_sse_find_boost([QUIET]): Boost::headers (Asio and Beast are header-only).
# 1.74 is Debian 12's and the first with any_io_executor everywhere the writer needs it.
function(eudiplo_sse_find_boost)
  cmake_parse_arguments(ARG "QUIET" "" "" ${ARGN})
  if(TARGET Boost::headers)
    return()
  endif()
  find_package(Boost 1.74 CONFIG QUIET)
  if(NOT TARGET Boost::headers AND NOT ARG_QUIET)
    message(FATAL_ERROR "Boost headers not found (Debian: apt-get install libboost-dev)")
  endif()
endfunction()
