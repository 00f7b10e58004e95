# Stand-in for ConanCenter's boost, used only by scripts/conan_check.sh when it runs
# offline: it wraps Debian's libboost-dev headers (/usr/include) under the names
# ConanCenter's recipe gives consumers (file Boost, targets Boost::boost and
# Boost::headers), so the recipe's with_boost_asio option is built and tested here
# the way it resolves against ConanCenter. It ships no files of its own.
# The offline tools beside the checkout (../shared/tools/conan/system-recipes) have
# stand-ins for openssl, rapidjson, asio and hiredis, but not for boost.
from conan import ConanFile


class BoostSystem(ConanFile):
    name = "boost"
    package_type = "header-library"
    settings = "os"

    def package_id(self):
        self.info.clear()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "Boost")
        self.cpp_info.set_property("cmake_target_name", "Boost::boost")
        headers = self.cpp_info.components["headers"]
        headers.set_property("cmake_target_name", "Boost::headers")
        headers.includedirs = headers.libdirs = headers.bindirs = []
        if self.settings.os in ("Linux", "FreeBSD"):
            headers.system_libs = ["pthread"]
