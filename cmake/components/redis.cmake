# find_package(eudiplo_sse COMPONENTS redis): eudiplo_sse::redis, the Redis session
# store and status bus. hiredis is found the way the build found it: its CMake
# package (1.x: vcpkg, Conan) or else pkg-config (Debian's 0.14).
include(CMakeFindDependencyMacro)
find_package(hiredis CONFIG QUIET)
if(NOT TARGET hiredis::hiredis)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(EUDIPLO_SSE_HIREDIS_PC QUIET IMPORTED_TARGET hiredis)
  endif()
endif()
# A build with rediss:// links hiredis_ssl and OpenSSL too (their CMake packages,
# 1.x only); looked for whenever hiredis came as a CMake package, since a static
# eudiplo_sse_redis names hiredis::hiredis_ssl in its link interface then.
if(TARGET hiredis::hiredis AND NOT TARGET hiredis::hiredis_ssl)
  find_package(hiredis_ssl CONFIG QUIET)
endif()
if(TARGET hiredis::hiredis OR TARGET PkgConfig::EUDIPLO_SSE_HIREDIS_PC)
  eudiplo_sse_include_component_targets(redis)
else()
  set(eudiplo_sse_NOT_FOUND_MESSAGE "component redis needs hiredis (Debian: libhiredis-dev)")
endif()
