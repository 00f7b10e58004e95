#!/usr/bin/env bash
# Installs the Debian 12 packages the build, tests and demo need, only those missing.
# Usage: scripts/install_deps.sh [build|test|fuzz]   (test adds sanitizer, browser and Node
# needs; fuzz adds clang 14 and its libFuzzer runtime for scripts/fuzz.sh)
set -euo pipefail

mode="${1:-build}"
packages=(cmake ninja-build g++ pkg-config libssl-dev libasio-dev rapidjson-dev libqrencode-dev libhiredis-dev)
if [ "$mode" = test ]; then
  packages+=(catch2 libbenchmark-dev libboost-dev libcpp-httplib-dev chromium python3 curl openssl procps redis-server)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [ "$mode" = fuzz ]; then
  packages+=(catch2 clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from outside apt (e.g. NodeSource or a tarball): trust the commands.
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
