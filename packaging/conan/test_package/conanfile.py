import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout


class TestPackageConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps", "VirtualRunEnv"
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.user_presets_path = False  # leave nothing behind in the checkout
        # Each optional component the package was built with is exercised too.
        options = self.dependencies["eudiplo-sse"].options
        tc.cache_variables["EUDIPLO_SSE_TEST_ASIO"] = bool(options.get_safe("with_asio"))
        tc.cache_variables["EUDIPLO_SSE_TEST_BOOST_ASIO"] = bool(options.get_safe("with_boost_asio"))
        tc.cache_variables["EUDIPLO_SSE_TEST_REDIS"] = bool(options.get_safe("with_redis"))
        tc.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            bin_path = os.path.join(self.cpp.build.bindir, "test_package")
            self.run(bin_path, env="conanrun")
