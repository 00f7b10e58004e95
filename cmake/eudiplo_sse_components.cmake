# Optional package components: find_package(eudiplo_sse COMPONENTS <name>...).
#
# A component is a set of targets in an export set of its own, plus the file
# cmake/components/<name>.cmake, which the package config includes only when the
# component is requested: it finds the component's dependencies (so the core
# package never looks for them), then includes the component's targets. Adding
# one, e.g. redis, takes:
#
#   option(EUDIPLO_SSE_WITH_REDIS "..." OFF)                         # CMakeLists.txt
#   if(EUDIPLO_SSE_WITH_REDIS)
#     ... add_library(eudiplo_sse_redis ...), EXPORT_NAME redis, alias eudiplo_sse::redis
#     eudiplo_sse_add_component(redis TARGETS eudiplo_sse_redis)
#   endif()
#   cmake/components/redis.cmake: find hiredis, then
#     eudiplo_sse_include_component_targets(redis)
#
# A component's headers under include/eudiplo_sse/<dir> are installed through
# HEADERS; add `PATTERN <dir> EXCLUDE` to the core's install(DIRECTORY) in
# CMakeLists.txt so that a build without the component does not install them.
#
# eudiplo_sse_add_component(<name> TARGETS <target>... [HEADERS <dir>...])
#   HEADERS: directories under include/ installed with the component.
function(eudiplo_sse_add_component name)
  cmake_parse_arguments(ARG "" "" "TARGETS;HEADERS" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY EUDIPLO_SSE_COMPONENTS ${name})
  set_property(GLOBAL PROPERTY EUDIPLO_SSE_COMPONENT_${name}_TARGETS ${ARG_TARGETS})
  set_property(GLOBAL PROPERTY EUDIPLO_SSE_COMPONENT_${name}_HEADERS ${ARG_HEADERS})
endfunction()

# Called by the install rules: each component's targets, headers and finder file.
function(eudiplo_sse_install_components cmake_dir)
  get_property(components GLOBAL PROPERTY EUDIPLO_SSE_COMPONENTS)
  foreach(name IN LISTS components)
    get_property(targets GLOBAL PROPERTY EUDIPLO_SSE_COMPONENT_${name}_TARGETS)
    get_property(headers GLOBAL PROPERTY EUDIPLO_SSE_COMPONENT_${name}_HEADERS)
    install(TARGETS ${targets} EXPORT eudiplo_sse-${name}-targets
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
      LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
      RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(EXPORT eudiplo_sse-${name}-targets NAMESPACE eudiplo_sse:: DESTINATION ${cmake_dir})
    foreach(dir IN LISTS headers)
      install(DIRECTORY ${dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/eudiplo_sse)
    endforeach()
    install(FILES "${PROJECT_SOURCE_DIR}/cmake/components/${name}.cmake"
      DESTINATION ${cmake_dir} RENAME eudiplo_sse-component-${name}.cmake)
  endforeach()
  # What this install holds, for the package config.
  set(EUDIPLO_SSE_INSTALLED_COMPONENTS "${components}" PARENT_SCOPE)
endfunction()
