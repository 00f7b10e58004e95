#!/usr/bin/env bash
# Builds hiredis 1.2.0 with TLS (hiredis_ssl) into a prefix under the build tree, for
# the `hiredis1` preset: the Redis component, its tests and eudiplo_sse_server built
# and tested against the hiredis 1.x that vcpkg and Conan ship, over plain TCP and
# over TLS (rediss://). FOR TESTS ONLY: nothing we install or package uses it.
#
# Why from npm: Debian 12 has only hiredis 0.14 (no TLS), the build may download
# nothing but Debian and npm packages, and the npm package redis-fast-driver bundles
# the complete, unmodified hiredis 1.2.0 source (BSD-3-Clause, its COPYING included)
# in deps/hiredis. The tarball is pinned by version and by its sha512 integrity.
#
#   scripts/build_hiredis1.sh [PREFIX]   [build/hiredis-1.2.0/prefix]
# Prints nothing but progress; idempotent (skips when PREFIX holds this build).
set -euo pipefail
cd "$(dirname "$0")/.."

package=redis-fast-driver
version=2.2.6
# `npm view redis-fast-driver@2.2.6 dist.integrity` (checked against the tarball).
integrity='sha512-ZBN8PQ2I028sYP4pc+l2UZWXimdgfC6Rq44ytBme8pVj78MNosatDtdMJoNTNRK+dbgCnQ49xS1CX4JvFsap2g=='
hiredis_version=1.2.0

work="$(pwd)/build/hiredis-$hiredis_version"
prefix=${1:-$work/prefix}
stamp="$prefix/.built-from-$package-$version"
if [ -f "$stamp" ] && [ -f "$prefix/lib/cmake/hiredis_ssl/hiredis_ssl-config.cmake" ]; then
  echo "hiredis $hiredis_version already in $prefix"
  exit 0
fi

mkdir -p "$work"
rm -rf "$work/src" "$work/build"
mkdir -p "$work/src"
tarball="$work/$package-$version.tgz"
if [ ! -f "$tarball" ]; then
  (cd "$work" && npm pack "$package@$version" --silent >/dev/null)
fi
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "build_hiredis1.sh: $tarball has integrity $actual, expected $integrity; refusing it" >&2
  rm -f "$tarball"
  exit 1
fi
tar -xzf "$tarball" -C "$work/src" package/deps/hiredis
src="$work/src/package/deps/hiredis"
if ! grep -q "^#define HIREDIS_MINOR 2$" "$src/hiredis.h" || [ ! -f "$src/ssl.c" ]; then
  echo "build_hiredis1.sh: $tarball does not hold hiredis $hiredis_version with ssl.c" >&2
  exit 1
fi

# Static and position-independent: linked into the shared eudiplo_sse_redis of a
# shared build too, and nothing to find at run time.
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DENABLE_SSL=ON -DDISABLE_TESTS=ON -DENABLE_EXAMPLES=OFF >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
cmake --install "$work/build" >/dev/null
touch "$stamp"
echo "hiredis $hiredis_version (with hiredis_ssl) installed in $prefix"
