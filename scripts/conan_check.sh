#!/usr/bin/env bash
# Builds the Conan recipe for real and runs its test_package: `conan create` static,
# shared, and once with each option that turns on an optional component, then the
# local flow (`conan install` + `conan build` from the checkout).
#
# The client is `conan` on PATH (with its own remotes), or else the offline client
# shipped beside the checkout in ../shared/tools/conan/ (ConanCenter's packages
# stood in for by Debian's). With neither, it says so in one line and succeeds: the
# structural checks (tests/package/check_recipes.py) still run in ctest.
#
#   scripts/conan_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
recipe=packaging/conan
offline_tools=../shared/tools/conan

if [ -x "$offline_tools/create-offline.sh" ]; then
  mode=offline
  conan="$offline_tools/conan"
elif command -v conan >/dev/null 2>&1; then
  mode=path
  conan=conan
else
  echo "conan: no Conan client (conan on PATH or $offline_tools), recipe checked structurally only"
  exit 0
fi

# A throwaway Conan home: nothing from an earlier run or the user's cache is reused.
CONAN_HOME=$(mktemp -d "${TMPDIR:-/tmp}/eudiplo-sse-conan.XXXXXX")
export CONAN_HOME
trap 'rm -rf "$CONAN_HOME" build/conan' EXIT

# The offline tools have no stand-in for boost (the with_boost_asio option): export
# ours, at Debian's libboost-dev version, into the same throwaway home.
if [ "$mode" = offline ]; then
  boost_version=$(dpkg-query -W -f='${Version}' libboost-dev 2>/dev/null | grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' || true)
  if [ -z "$boost_version" ]; then
    echo "conan: libboost-dev is not installed (scripts/install_deps.sh test installs it)" >&2
    exit 1
  fi
  "$conan" export tests/package/conan_standins/boost --version "$boost_version" >/dev/null
fi

untracked() { git status --porcelain --untracked-files=all -- packaging CMakeUserPresets.json | grep '^??' || true; }
untracked_before=$(untracked)

create() {
  echo "---- conan create $recipe $*"
  if [ "$mode" = offline ]; then
    "$offline_tools/create-offline.sh" "$recipe" "$@"
  else
    "$conan" create "$recipe" --build=missing "$@"
  fi
}

# Every `with_*` option of the recipe is an optional component; each gets a run of
# its own so that test_package touches that component's API.
mapfile -t component_options < <(grep -oE '"with_[a-z0-9_]+"' "$recipe/conanfile.py" | tr -d '"' | sort -u)

create -o '&:shared=False'
create -o '&:shared=True'
for option in "${component_options[@]}"; do
  create -o "&:$option=True"
done

echo "---- local flow: conan install + conan build $recipe"
profile_args=()
if [ "$mode" = offline ]; then
  profile_args=(-pr:a "$CONAN_HOME/offline.profile" -nr)
else
  profile_args=(--build=missing)
fi
"$conan" install "$recipe" "${profile_args[@]}"
"$conan" build "$recipe" "${profile_args[@]}"

# Only files the runs added count: the recipe itself may be edited in a working copy.
leftovers=$(comm -13 <(echo "$untracked_before") <(untracked))
if [ -n "$leftovers" ]; then
  echo "conan left files in the checkout:" >&2
  echo "$leftovers" >&2
  exit 1
fi
echo "conan: recipe built and tested (static, shared$(printf ", %s" "${component_options[@]}")) and the local flow works"
