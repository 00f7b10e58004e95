"""Checks the vcpkg port and the Conan recipe as far as this machine can.

Neither vcpkg nor Conan is installed here, so this checks what would otherwise only
break on a user's machine: the options the recipes pass exist in CMakeLists.txt,
the names and versions agree with project(), the port's paths match the install
layout, and the Conan recipe's methods run (against stand-ins for the conan module)
and declare what consumers rely on.

usage: python3 check_recipes.py <source dir>
"""
import ast
import collections
import importlib.util
import json
import os
import re
import sys
import types

sys.dont_write_bytecode = True  # nothing written next to the recipe

failures = []


def check(ok, what):
    print(("ok      " if ok else "FAILED  ") + what)
    if not ok:
        failures.append(what)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def cmake_facts(source_dir):
    text = read(os.path.join(source_dir, "CMakeLists.txt"))
    match = re.search(r"project\(\s*(\w+)\s+VERSION\s+([0-9.]+)", text)
    options = set(re.findall(r"^\s*option\(\s*(\w+)", text, re.M))
    options |= set(re.findall(r"^\s*set\(\s*(\w+)\s+[^)]*\bCACHE\b", text, re.M))
    return match.group(1), match.group(2), options, text


def check_vcpkg(source_dir, project, version, options, cmakelists):
    port = os.path.join(source_dir, "packaging", "vcpkg", "ports", "eudiplo-sse")
    try:
        manifest = json.loads(read(os.path.join(port, "vcpkg.json")))
    except ValueError as e:
        check(False, f"vcpkg.json is valid JSON ({e})")
        return
    check(True, "vcpkg.json is valid JSON")
    check(manifest.get("name") == "eudiplo-sse", "vcpkg.json name is eudiplo-sse")
    port_version = next((manifest[k] for k in ("version", "version-semver", "version-string")
                         if k in manifest), None)
    check(port_version == version,
          f"vcpkg.json version {port_version} is project(VERSION) {version}")
    deps = {d if isinstance(d, str) else d["name"]: d for d in manifest.get("dependencies", [])}
    for name in ("openssl", "rapidjson"):
        check(name in deps, f"vcpkg.json depends on {name}")
    check("asio" not in deps, "the core port does not depend on asio (the asio feature does)")
    features = manifest.get("features", {})
    for feature, dependency in (("asio", "asio"), ("boost-asio", "boost-asio")):
        check(dependency in features.get(feature, {}).get("dependencies", []),
              f"vcpkg feature {feature} depends on {dependency}")
    for name in ("vcpkg-cmake", "vcpkg-cmake-config"):
        check(isinstance(deps.get(name), dict) and deps[name].get("host") is True,
              f"vcpkg.json has {name} as a host dependency")

    portfile = read(os.path.join(port, "portfile.cmake"))
    passed = re.findall(r"-D(\w+)=", portfile)
    check(bool(passed), "portfile.cmake passes options")
    for name in passed:
        check(name in options or name.startswith("CMAKE_"),
              f"portfile option {name} exists in CMakeLists.txt")
    # EUDIPLO_SSE_BUILD_SHARED follows BUILD_SHARED_LIBS, which vcpkg sets.
    for name in sorted(o for o in options
                       if o.startswith("EUDIPLO_SSE_BUILD_") and o != "EUDIPLO_SSE_BUILD_SHARED"):
        check(f"-D{name}=OFF" in portfile, f"portfile turns {name} off")
    check("-DEUDIPLO_SSE_BUILD_SHARED" not in portfile, "portfile leaves linkage to vcpkg")
    mapped = re.search(r"vcpkg_check_features\(([^)]*)\)", portfile)
    pairs = re.findall(r"^\s*([\w-]+)\s+(EUDIPLO_SSE_\w+)\s*$", mapped.group(1), re.M) if mapped else []
    check(sorted(f for f, _ in pairs) == sorted(features),
          "portfile maps every vcpkg feature to a CMake option")
    for feature, option in pairs:
        check(option in options, f"feature {feature}'s option {option} exists in CMakeLists.txt")

    fixup = re.search(r"vcpkg_cmake_config_fixup\(([^)]*)\)", portfile)
    args = fixup.group(1).split() if fixup else []
    check(args[args.index("PACKAGE_NAME") + 1] == project if "PACKAGE_NAME" in args else False,
          f"vcpkg_cmake_config_fixup PACKAGE_NAME is {project}")
    config_path = args[args.index("CONFIG_PATH") + 1] if "CONFIG_PATH" in args else None
    # vcpkg configures with CMAKE_INSTALL_LIBDIR=lib.
    installed_at = re.search(r"\$\{CMAKE_INSTALL_LIBDIR\}/cmake/(\w+)", cmakelists)
    check(installed_at is not None and config_path == f"lib/cmake/{installed_at.group(1)}",
          f"CONFIG_PATH {config_path} is where CMakeLists.txt installs the package config")
    check("vcpkg_fixup_pkgconfig()" in portfile, "portfile fixes up the pkg-config file")
    for licence in re.findall(r'\$\{SOURCE_PATH\}/([\w.-]+)"?\)', portfile):
        check(os.path.isfile(os.path.join(source_dir, licence)),
              f"the licence file the port installs ({licence}) exists")

    usage = read(os.path.join(port, "usage"))
    check(f"find_package({project} CONFIG REQUIRED)" in usage
          and f"{project}::{project}" in usage, "usage shows find_package and the target")


class FakeToolchain:
    last = None

    def __init__(self, conanfile):
        self.variables = {}
        self.cache_variables = {}
        FakeToolchain.last = self

    def generate(self):
        pass


class FakeCppInfo:
    def __init__(self):
        self.properties = {}
        self.libs = []
        self.requires = []
        self.system_libs = []
        self.components = collections.defaultdict(FakeCppInfo)

    def set_property(self, name, value):
        self.properties[name] = value


class Anything:
    """Any other conan helper: callable, with any attribute, doing nothing."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        return self


def conan_stubs():
    """Stand-ins for the names a recipe imports from the conan package."""
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        m.__getattr__ = lambda attr: Anything()
        return m

    class ConanFile:
        def __init__(self):
            self.recorded_requires = []

        def requires(self, reference, **traits):
            self.recorded_requires.append(reference)

    return {
        "conan": module("conan", ConanFile=ConanFile),
        "conan.tools": module("conan.tools"),
        "conan.tools.build": module("conan.tools.build"),
        "conan.tools.cmake": module("conan.tools.cmake", CMakeToolchain=FakeToolchain),
        "conan.tools.files": module("conan.tools.files", load=lambda _, path: read(path)),
    }


def check_conan_configuration(recipe_class, folder, project, version, options, with_asio,
                              with_redis=False, with_boost_asio=False):
    """One configuration of the recipe: its requirements, CMake options and
    package_info agree with each other and with CMakeLists.txt."""
    what = f"with_asio={with_asio} with_boost_asio={with_boost_asio} with_redis={with_redis}: "
    recipe = recipe_class()
    recipe.recipe_folder = folder
    recipe.version = None
    recipe.settings = types.SimpleNamespace(os="Linux")
    recipe.options = types.SimpleNamespace(shared=False, fPIC=True, with_asio=with_asio,
                                           with_boost_asio=with_boost_asio,
                                           with_redis=with_redis)
    recipe.cpp_info = FakeCppInfo()

    recipe.set_version()
    check(recipe.version == version, f"recipe version {recipe.version} is project(VERSION) {version}")

    recipe.requirements()
    refs = recipe.recorded_requires
    check("openssl/[>=3 <4]" in refs, what + "recipe requires openssl/[>=3 <4]")
    check(any(r.startswith("rapidjson/") for r in refs), what + "recipe requires rapidjson")
    # The redis component's sources use Asio too (hiredis on Asio's reactor).
    check(any(r.startswith("asio/") for r in refs) == (with_asio or with_redis),
          what + "recipe requires asio exactly when with_asio or with_redis")
    check(any(r.startswith("hiredis/") for r in refs) == with_redis,
          what + "recipe requires hiredis exactly when with_redis")
    check(any(r.startswith("boost/") for r in refs) == with_boost_asio,
          what + "recipe requires boost exactly when with_boost_asio")

    recipe.generate()
    tc = FakeToolchain.last
    passed = dict(tc.variables, **tc.cache_variables) if tc else {}
    check(bool(passed), what + "recipe passes CMake options through CMakeToolchain")
    for name in passed:
        check(name in options, what + f"recipe option {name} exists in CMakeLists.txt")
    # EUDIPLO_SSE_BUILD_SHARED follows BUILD_SHARED_LIBS, which Conan sets from `shared`.
    for name in sorted(o for o in options
                       if o.startswith("EUDIPLO_SSE_BUILD_") and o != "EUDIPLO_SSE_BUILD_SHARED"):
        check(passed.get(name) is False, what + f"recipe turns {name} off")
    check(passed.get("EUDIPLO_SSE_WITH_ASIO") is with_asio,
          what + "EUDIPLO_SSE_WITH_ASIO follows the with_asio option")
    check(passed.get("EUDIPLO_SSE_WITH_BOOST_ASIO") is with_boost_asio,
          what + "EUDIPLO_SSE_WITH_BOOST_ASIO follows the with_boost_asio option")
    check(passed.get("EUDIPLO_SSE_WITH_REDIS") is with_redis,
          what + "EUDIPLO_SSE_WITH_REDIS follows the with_redis option")

    recipe.package_info()
    info = recipe.cpp_info
    props = info.properties
    check(props.get("cmake_file_name") == project, f"cmake_file_name is {project}")
    core = info.components.get("core")
    check(core is not None and core.properties.get("cmake_target_name") == f"{project}::{project}",
          f"component core is {project}::{project}")
    check(core is not None and core.libs == [project], f"the packaged library is lib{project}")
    asio = info.components.get("asio")
    check((asio is not None) == with_asio, what + "component asio exists exactly when with_asio")
    if asio is not None:
        check(asio.properties.get("cmake_target_name") == f"{project}::asio",
              f"component asio is {project}::asio")
    boost_asio = info.components.get("boost_asio")
    check((boost_asio is not None) == with_boost_asio,
          what + "component boost_asio exists exactly when with_boost_asio")
    if boost_asio is not None:
        check(boost_asio.properties.get("cmake_target_name") == f"{project}::boost_asio",
              f"component boost_asio is {project}::boost_asio")
    redis = info.components.get("redis")
    check((redis is not None) == with_redis, what + "component redis exists exactly when with_redis")
    if redis is not None:
        check(redis.properties.get("cmake_target_name") == f"{project}::redis"
              and redis.libs == [f"{project}_redis"],
              f"component redis is {project}::redis, lib{project}_redis")
    required = {r.split("::")[0] for c in info.components.values() for r in c.requires
                if "::" in r}
    declared = {r.split("/")[0] for r in refs}
    check(required == declared,
          what + "the components' requires name every requirement (Conan refuses it otherwise)")


def check_conan(source_dir, project, version, options):
    folder = os.path.join(source_dir, "packaging", "conan")
    recipe_path = os.path.join(folder, "conanfile.py")
    for path in (recipe_path, os.path.join(folder, "test_package", "conanfile.py")):
        try:
            ast.parse(read(path), path)
            check(True, f"{os.path.relpath(path, source_dir)} parses")
        except SyntaxError as e:
            check(False, f"{os.path.relpath(path, source_dir)} parses ({e})")
            return

    stubs = conan_stubs()
    saved = {k: sys.modules.get(k) for k in stubs}
    sys.modules.update(stubs)
    try:
        spec = importlib.util.spec_from_file_location("eudiplo_sse_conanfile", recipe_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    recipes = [c for c in vars(module).values()
               if isinstance(c, type) and c.__module__ == module.__name__
               and hasattr(c, "package_info")]
    check(len(recipes) == 1, "conanfile.py defines one recipe class")
    if len(recipes) != 1:
        return
    for with_asio, with_redis, with_boost_asio in (
            (False, False, False), (True, False, False), (False, True, False),
            (True, True, False), (False, False, True), (True, True, True)):
        check_conan_configuration(recipes[0], folder, project, version, options, with_asio,
                                  with_redis, with_boost_asio)

    test_cmake = read(os.path.join(folder, "test_package", "CMakeLists.txt"))
    check(f"find_package({project} CONFIG REQUIRED)" in test_cmake
          and f"{project}::{project}" in test_cmake,
          "test_package finds the package and links the target the recipe declares")


def main():
    source_dir = os.path.abspath(sys.argv[1])
    project, version, options, cmakelists = cmake_facts(source_dir)
    check_vcpkg(source_dir, project, version, options, cmakelists)
    check_conan(source_dir, project, version, options)
    if failures:
        print(f"\n{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
