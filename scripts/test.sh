#!/usr/bin/env bash
# Installs what is missing, builds and runs every test: the dev build (unit,
# interop, end-to-end, package tests), the Conan recipe (when a client is there), the
# Redis component against hiredis 1.2 with TLS, the unit tests under ASan+UBSan and under
# TSan, and a small smoke run of the load generator. Exits non-zero on any failure.
#
#   ./scripts/test.sh            everything
#   SKIP_SANITIZERS=1 ./scripts/test.sh   only the dev build (quick local loop)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

step() { printf '\n==== %s ====\n' "$*"; }

step "system packages"
scripts/install_deps.sh test

step "node packages"
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  echo "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done < <(find tests bench -name package-lock.json -not -path '*/node_modules/*' | sort)

step "dev build"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"

step "dev tests"
ctest --preset dev -j "$jobs"

step "conan recipe"
scripts/conan_check.sh

# The Redis component, its tests and the server against hiredis 1.2 with hiredis_ssl
# (what vcpkg and Conan ship; Debian's is 0.14): the Redis battery over redis:// and
# again over rediss://, the TLS failure cases, and two servers on a TLS-only Redis.
step "redis component against hiredis 1.2 (plain and TLS)"
scripts/build_hiredis1.sh
cmake --preset hiredis1 >/dev/null
cmake --build --preset hiredis1 -j "$jobs"
ctest --preset hiredis1 -j "$jobs"

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  # The library is built shared here: the top-level shared build and its tests run too.
  step "unit tests under ASan + UBSan (shared library)"
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan -j "$jobs"
  ctest --preset asan-ubsan

  step "unit tests under TSan"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs"
  ctest --preset tsan
fi

if [ -x bench/smoke.sh ]; then
  step "load generator smoke run"
  bench/smoke.sh "$root/build/dev/examples/eudiplo_sse_server" "$root/build/dev/bench/loadgen/eudiplo_sse_loadgen"
fi

step "all tests passed"
