# cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DPREFIX=... -DSHARED=ON|OFF -DGENERATOR=...
#       -DCONFIG=... -DCXX=... [-DCXX_FLAGS=...] [-DLINKER_FLAGS=...] -P build_other_linkage.cmake
#
# Builds the core library with the other linkage than the test's own build (a
# package maintainer's EUDIPLO_SSE_BUILD_SHARED=ON build, or a static one) and
# installs it into PREFIX, for package.shared / package.static to consume.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BUILD_DIR}" -G "${GENERATOR}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}" "-DCMAKE_CXX_COMPILER=${CXX}"
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_SHARED_LINKER_FLAGS=${LINKER_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
    "-DEUDIPLO_SSE_BUILD_SHARED=${SHARED}" -DEUDIPLO_SSE_BUILD_TESTS=OFF
    -DEUDIPLO_SSE_BUILD_EXAMPLES=OFF -DEUDIPLO_SSE_BUILD_BENCHMARKS=OFF
    -DEUDIPLO_SSE_WITH_ASIO=OFF -DEUDIPLO_SSE_WITH_BOOST_ASIO=OFF -DEUDIPLO_SSE_INSTALL=ON
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the ${SHARED} library failed (${rc})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --config "${CONFIG}" -j 2
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the library failed (${rc})")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --config "${CONFIG}" --prefix "${PREFIX}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing the library failed (${rc})")
endif()

# A core-only install has no component files.
file(GLOB component_files "${PREFIX}/lib*/cmake/eudiplo_sse/eudiplo_sse-component-*.cmake")
if(component_files)
  message(FATAL_ERROR "a core-only build installed component files: ${component_files}")
endif()

# A shared library exports its API and nothing else (hidden default visibility):
# no detail:: internals, and the API the consumers use is there.
if(SHARED)
  find_program(NM nm)
  file(GLOB shared_libs "${PREFIX}/lib*/libeudiplo_sse.so")
  if(NM AND shared_libs)
    list(GET shared_libs 0 shared_lib)
    execute_process(COMMAND "${NM}" -DC --defined-only "${shared_lib}"
      OUTPUT_VARIABLE exported RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nm failed on ${shared_lib}")
    endif()
    # Symbols whose own name is in detail:: (not members of exported classes that
    # merely take a detail:: type).
    string(REGEX MATCHALL "(^|\n)[0-9a-f]* [A-Za-z] eudiplo_sse::detail::[^\n]*" leaked
      "${exported}")
    if(leaked)
      message(FATAL_ERROR "internal symbols exported: ${leaked}")
    endif()
    foreach(api "eudiplo_sse::EventsRoute::check" "eudiplo_sse::JwtVerifier::verify"
                "eudiplo_sse::format_response_head" "eudiplo_sse::BlockingSseWriter::pump")
      string(FIND "${exported}" "${api}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "${api} is not exported from ${shared_lib}")
      endif()
    endforeach()
  endif()
endif()
