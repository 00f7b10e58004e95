"""Conan 2 recipe for eudiplo_sse, kept in the library's repository.

    conan create packaging/conan --build=missing

The recipe exports the checkout it lives in (there is no release archive yet),
and reads the version from project(VERSION) in CMakeLists.txt, the one place it
is written.
"""
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir

required_conan_version = ">=2.0"


class EudiploSseConan(ConanFile):
    name = "eudiplo-sse"
    license = "Apache-2.0"
    description = ("Server-sent session status events for EUDI wallet issuers and verifiers: "
                   "sessions, fan-out, JWT verification and an HTTP-library-independent "
                   "events route.")
    topics = ("sse", "server-sent-events", "jwt", "eudi", "openid4vc")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    # with_asio: the header-only SSE stream writer on standalone Asio, the package
    # component `asio` (CMake: EUDIPLO_SSE_WITH_ASIO, target eudiplo_sse::asio).
    # with_boost_asio: the same writer on Boost.Asio, for Boost.Beast hosts, the
    # package component `boost_asio` (CMake: EUDIPLO_SSE_WITH_BOOST_ASIO, target
    # eudiplo_sse::boost_asio). It uses Boost's headers only; a host that builds no
    # Boost library may set boost/*:header_only=True.
    # with_redis: the Redis session store and status bus for several instances, the
    # package component `redis` (CMake: EUDIPLO_SSE_WITH_REDIS, target eudiplo_sse::redis).
    options = {"shared": [True, False], "fPIC": [True, False], "with_asio": [True, False],
               "with_boost_asio": [True, False], "with_redis": [True, False]}
    default_options = {"shared": False, "fPIC": True, "with_asio": False,
                       "with_boost_asio": False, "with_redis": False}

    @property
    def _checkout(self):
        return os.path.join(self.recipe_folder, os.pardir, os.pardir)

    def set_version(self):
        if self.version:
            return
        cmakelists = load(self, os.path.join(self._checkout, "CMakeLists.txt"))
        match = re.search(r"project\(\s*eudiplo_sse\s+VERSION\s+([0-9.]+)", cmakelists)
        self.version = match.group(1)

    def export_sources(self):
        for pattern in ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*",
                        "redis/CMakeLists.txt", "redis/include/*", "redis/src/*"):
            copy(self, pattern, src=self._checkout, dst=self.export_sources_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        # The recipe lives two levels below the project root. folders.root makes the
        # local flow (`conan install` + `conan build packaging/conan`) find the root
        # CMakeLists.txt; in the cache, the exported sources sit at that root too.
        self.folders.root = os.path.join(os.pardir, os.pardir)
        cmake_layout(self, src_folder=".", build_folder="build/conan")

    def requirements(self):
        # OpenSSL stays out of the public headers, but a static eudiplo_sse still
        # needs libcrypto on its consumers' link line.
        self.requires("openssl/[>=3 <4]")
        # Header-only, used only inside src/.
        self.requires("rapidjson/cci.20220822")
        if self.options.with_asio:
            # The writer's headers include Asio's: a transitive header dependency.
            # 1.22 is what Debian 12 ships and what the writer is tested with.
            self.requires("asio/[>=1.22 <2]", transitive_headers=True)
        elif self.options.with_redis:
            # Only the component's sources use Asio (hiredis on Asio's reactor).
            self.requires("asio/[>=1.22 <2]")
        if self.options.with_boost_asio:
            # Header-only use of Boost.Asio, exposed by the writer's headers.
            self.requires("boost/[>=1.74 <2]", transitive_headers=True)
        if self.options.with_redis:
            # The async API of hiredis 0.14 (Debian) and 1.x (ConanCenter) alike;
            # kept out of the component's public headers.
            self.requires("hiredis/1.2.0")

    def validate(self):
        check_min_cppstd(self, 17)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["EUDIPLO_SSE_BUILD_TESTS"] = False
        tc.cache_variables["EUDIPLO_SSE_BUILD_EXAMPLES"] = False
        tc.cache_variables["EUDIPLO_SSE_BUILD_BENCHMARKS"] = False
        tc.cache_variables["EUDIPLO_SSE_INSTALL"] = True
        tc.cache_variables["EUDIPLO_SSE_WITH_ASIO"] = bool(self.options.with_asio)
        tc.cache_variables["EUDIPLO_SSE_WITH_BOOST_ASIO"] = bool(self.options.with_boost_asio)
        tc.cache_variables["EUDIPLO_SSE_WITH_REDIS"] = bool(self.options.with_redis)
        # No CMakeUserPresets.json in the checkout: it would outlive build/conan and
        # break `cmake --preset dev` once that folder is removed.
        tc.user_presets_path = False
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder,
             dst=os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        # Conan generates its own CMake and pkg-config files for consumers.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "eudiplo_sse")
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "eudiplo_sse::eudiplo_sse")
        core.set_property("pkg_config_name", "eudiplo_sse")
        core.libs = ["eudiplo_sse"]
        # Once set, Conan wants every requirement named by some component.
        core.requires = ["openssl::crypto", "rapidjson::rapidjson"]
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs = ["pthread"]
        if self.options.with_asio:
            writer = self.cpp_info.components["asio"]
            writer.set_property("cmake_target_name", "eudiplo_sse::asio")
            writer.requires = ["core", "asio::asio"]
        if self.options.with_boost_asio:
            writer = self.cpp_info.components["boost_asio"]
            writer.set_property("cmake_target_name", "eudiplo_sse::boost_asio")
            writer.requires = ["core", "boost::headers"]
        if self.options.with_redis:
            redis = self.cpp_info.components["redis"]
            redis.set_property("cmake_target_name", "eudiplo_sse::redis")
            redis.libs = ["eudiplo_sse_redis"]
            redis.requires = ["core", "hiredis::hiredis", "asio::asio"]
