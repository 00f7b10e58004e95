# Overlay port: vcpkg install eudiplo-sse --overlay-ports=<checkout>/packaging/vcpkg/ports
#
# From a checkout the port builds that checkout, so a host can try unreleased
# changes; copied into a registry (no checkout around it) it fetches the release
# tag. vcpkg's binary cache does not hash the checkout: after changing the
# sources, reinstall with --no-binarycaching.
get_filename_component(checkout "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)
if(EXISTS "${checkout}/include/eudiplo_sse/events_route.hpp")
    set(SOURCE_PATH "${checkout}")
else()
    vcpkg_from_github(
        OUT_SOURCE_PATH SOURCE_PATH
        REPO eudiplo-sse/eudiplo_sse  # the published repository, set at the first release
        REF "v${VERSION}"
        SHA512 0  # vcpkg prints the right hash on the first install; paste it here
        HEAD_REF main
    )
endif()

# The public API carries EUDIPLO_SSE_EXPORT, so static and shared (DLL) builds both
# work; EUDIPLO_SSE_BUILD_SHARED follows vcpkg's BUILD_SHARED_LIBS.
vcpkg_check_features(OUT_FEATURE_OPTIONS feature_options
    FEATURES
        asio        EUDIPLO_SSE_WITH_ASIO
        boost-asio  EUDIPLO_SSE_WITH_BOOST_ASIO
        redis       EUDIPLO_SSE_WITH_REDIS
)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        ${feature_options}
        -DEUDIPLO_SSE_BUILD_TESTS=OFF
        -DEUDIPLO_SSE_BUILD_EXAMPLES=OFF
        -DEUDIPLO_SSE_BUILD_BENCHMARKS=OFF
        -DEUDIPLO_SSE_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME eudiplo_sse CONFIG_PATH lib/cmake/eudiplo_sse)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
