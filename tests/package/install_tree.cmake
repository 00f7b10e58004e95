# cmake -DBUILD_DIR=... -DPREFIX=... -DCONFIG=... -DLIBDIR=... -DINCLUDEDIR=... -DVERSION=...
#       [-DCOMPONENTS=asio,boost_asio] -P install_tree.cmake
#
# Installs the build tree into a fresh PREFIX (the fixture every package test
# consumes), then checks what the consumers cannot see for themselves: the files
# are where packagers expect them, private headers stay out, each built component
# installed its files, and the version file answers as SameMinorVersion (0.x) or
# SameMajorVersion.

file(REMOVE_RECURSE "${PREFIX}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --config "${CONFIG}" --prefix "${PREFIX}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()

set(cmake_dir "${PREFIX}/${LIBDIR}/cmake/eudiplo_sse")
foreach(f
    "${cmake_dir}/eudiplo_sseConfig.cmake"
    "${cmake_dir}/eudiplo_sseConfigVersion.cmake"
    "${cmake_dir}/eudiplo_sse-targets.cmake"
    "${PREFIX}/${LIBDIR}/pkgconfig/eudiplo_sse.pc"
    "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/version.hpp"
    "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/export.hpp"
    "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/events_route.hpp")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

string(REPLACE "," ";" COMPONENTS "${COMPONENTS}")
foreach(component IN LISTS COMPONENTS)
  set(files
    "${cmake_dir}/eudiplo_sse-component-${component}.cmake"
    "${cmake_dir}/eudiplo_sse-${component}-targets.cmake")
  if(component MATCHES "^(asio|boost_asio)$")
    list(APPEND files
      "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/${component}/sse_stream_writer.hpp"
      "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/net/basic_sse_stream_writer.hpp")
  endif()
  foreach(f IN LISTS files)
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "component ${component}: not installed: ${f}")
    endif()
  endforeach()
endforeach()

# Headers only src/ and the tests use are not part of the installed API.
foreach(private detail jwt_parse.hpp base64url.hpp session_key.hpp jws_signer.hpp)
  file(GLOB_RECURSE found "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/*${private}*")
  if(found)
    message(FATAL_ERROR "private header installed: ${found}")
  endif()
endforeach()
file(STRINGS "${PREFIX}/${INCLUDEDIR}/eudiplo_sse/jwt_signer.hpp" jws REGEX "sign_hs_jws")
if(jws)
  message(FATAL_ERROR "sign_hs_jws is declared in the installed jwt_signer.hpp")
endif()

file(GLOB libs "${PREFIX}/${LIBDIR}/*eudiplo_sse*")
if(NOT libs)
  message(FATAL_ERROR "no eudiplo_sse library in ${PREFIX}/${LIBDIR}")
endif()

# Headers private to the build (src/) must not leak into the install.
file(GLOB_RECURSE installed_headers RELATIVE "${PREFIX}/${INCLUDEDIR}" "${PREFIX}/${INCLUDEDIR}/*")
foreach(h IN LISTS installed_headers)
  if(NOT h MATCHES "^eudiplo_sse/")
    message(FATAL_ERROR "installed outside include/eudiplo_sse/: ${h}")
  endif()
endforeach()

file(STRINGS "${PREFIX}/${LIBDIR}/pkgconfig/eudiplo_sse.pc" pc_version REGEX "^Version:")
if(NOT pc_version STREQUAL "Version: ${VERSION}")
  message(FATAL_ERROR "eudiplo_sse.pc has '${pc_version}', expected 'Version: ${VERSION}'")
endif()

# Ask the version file what find_package(eudiplo_sse <requested>) would ask it.
string(REPLACE "." ";" parts "${VERSION}")
list(GET parts 0 major)
list(GET parts 1 minor)
math(EXPR next_major "${major} + 1")
math(EXPR next_minor "${minor} + 1")
set(cases
  "${VERSION}:TRUE"
  "${major}.${minor}:TRUE"
  "${major}.${next_minor}:FALSE"
  "${next_major}.0:FALSE")
if(major GREATER 0)
  # SameMajorVersion from 1.0 on.
  math(EXPR previous_major "${major} - 1")
  list(APPEND cases "${major}.0:TRUE" "${previous_major}.0:FALSE")
elseif(minor GREATER 0)
  # 0.x: SameMinorVersion, a new minor may break the API.
  math(EXPR previous_minor "${minor} - 1")
  list(APPEND cases "0.${previous_minor}:FALSE")
endif()
foreach(case IN LISTS cases)
  string(REPLACE ":" ";" case "${case}")
  list(GET case 0 requested)
  list(GET case 1 expected)
  set(PACKAGE_FIND_VERSION "${requested}")
  string(REPLACE "." ";" req_parts "${requested}.0.0")
  list(GET req_parts 0 PACKAGE_FIND_VERSION_MAJOR)
  list(GET req_parts 1 PACKAGE_FIND_VERSION_MINOR)
  list(GET req_parts 2 PACKAGE_FIND_VERSION_PATCH)
  set(PACKAGE_VERSION_COMPATIBLE "")
  set(PACKAGE_VERSION_UNSUITABLE "")
  include("${cmake_dir}/eudiplo_sseConfigVersion.cmake")
  if(PACKAGE_VERSION_UNSUITABLE)
    message(FATAL_ERROR "the version file calls itself unsuitable (architecture?)")
  endif()
  if(NOT PACKAGE_VERSION STREQUAL VERSION)
    message(FATAL_ERROR "version file says ${PACKAGE_VERSION}, project(VERSION) says ${VERSION}")
  endif()
  if((expected AND NOT PACKAGE_VERSION_COMPATIBLE) OR (NOT expected AND PACKAGE_VERSION_COMPATIBLE))
    message(FATAL_ERROR
      "find_package(eudiplo_sse ${requested}) against ${VERSION}: compatible should be ${expected}")
  endif()
endforeach()

message(STATUS "installed eudiplo_sse ${VERSION} into ${PREFIX}")
