#!/bin/sh
# Builds consumer.cpp the way a Makefile or Meson user would, with nothing but what
# `pkg-config --cflags --libs eudiplo_sse` prints, then runs it.
#
# usage: build_and_run.sh CXX PREFIX PKGCONFIG_DIR BUILD_DIR VERSION [CXXFLAGS...]
set -eu

cxx=$1 prefix=$2 pc_dir=$3 build_dir=$4 version=$5
shift 5

pkg_config=${PKG_CONFIG:-pkg-config}
PKG_CONFIG_PATH="$pc_dir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH

# The .pc file installed in the prefix, with the version project(VERSION) states.
"$pkg_config" --print-errors --exists "eudiplo_sse = $version"
found=$("$pkg_config" --variable=pcfiledir eudiplo_sse)
case "$(cd "$found" && pwd -P)/" in
  "$(cd "$prefix" && pwd -P)"/*) ;;
  *) echo "eudiplo_sse.pc found in $found, expected under $prefix" >&2; exit 1 ;;
esac

flags=$("$pkg_config" --cflags --libs eudiplo_sse)
echo "pkg-config --cflags --libs eudiplo_sse: $flags"

mkdir -p "$build_dir"
here=$(dirname "$0")
# $flags is split into words on purpose: it is a list of compiler arguments.
# shellcheck disable=SC2086
"$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror "$@" \
  "-DEXPECTED_VERSION=\"$version\"" "$here/../consumer.cpp" $flags \
  -o "$build_dir/pkg_config_consumer"

# A shared libeudiplo_sse is found through the libdir pkg-config names, as a host's
# package would have to arrange (rpath, ldconfig); a static one needs nothing.
libdir=$("$pkg_config" --variable=libdir eudiplo_sse)
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$build_dir/pkg_config_consumer"
