#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang 14, ASan + UBSan) and runs each
# for a bounded time, one after the other, at the lowest CPU priority.
#
#   scripts/fuzz.sh                      every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh jwt_verify sse_framing
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/) plus
# what earlier runs found (build/fuzz/work/<target>/, kept between runs). A crash,
# leak or failed invariant leaves its input in build/fuzz/artifacts/<target>/ and
# makes the script exit non-zero; add such an input to the seeds with a regression
# test once it is fixed. Logs (with libFuzzer's exec and cov figures) are in
# build/fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jwt_parse jwt_verify sse_framing json_body http_request http_target)

scripts/install_deps.sh fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

# RapidJSON's one known pointer-overflow is suppressed (see the file); every other
# report stops the run.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$(pwd)/tests/fuzz/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1"

status=0
for t in "${targets[@]}"; do
  bin=build/fuzz/tests/fuzz/eudiplo_sse_fuzz_$t
  work=build/fuzz/work/$t
  artifacts=build/fuzz/artifacts/$t
  log=build/fuzz/logs/$t.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  echo "== $t: ${seconds}s"
  # Tokens may be 8 KiB plus the mode bytes; 16 KiB leaves room for every target.
  if ! nice -n 19 "$bin" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    echo "   FAILED: see $log and $artifacts/"
    status=1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units' "$log" | tail -2 | sed 's/^/   /' || true
done
exit $status
