#!/usr/bin/env bash
# One channel for all changes vs one channel per session (docs/scaling.md): what
# Redis spends per PUBLISH and what each instance receives, with two subscriber
# connections ("instances") and SESSIONS sessions split between them.
#   redis/bench/channel_layout.sh [SESSIONS] [PUBLISHES]
# Needs redis-server, redis-cli and redis-benchmark (Debian: redis-server, redis-tools).
set -euo pipefail
sessions=${1:-10000}
publishes=${2:-200000}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap '"$here/../tests/redis_fixture.sh" stop "$dir"; kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
"$here/../tests/redis_fixture.sh" start "$dir"
port=$(cat "$dir/port")
payload="17 completed 1893456003000 0f8c2a7e-1b2d-4c3e-9f40-5a6b7c8d9e0f tenant-a"

cpu() { redis-cli -p "$port" info cpu | awk -F: '/used_cpu_(sys|user):/ {s += $2} END {printf "%.3f", s}'; }

run() {  # $1 = label, $2.. = channels for instance A then B (two files)
  local label=$1 chans_a=$2 chans_b=$3 pattern=$4 extra=$5
  redis-cli -p "$port" subscribe $(cat "$chans_a") >"$dir/a.out" &
  local pa=$!
  redis-cli -p "$port" subscribe $(cat "$chans_b") >"$dir/b.out" &
  local pb=$!
  sleep 2
  local before
  before=$(cpu)
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  redis-benchmark -p "$port" -q -n "$publishes" -c 20 -P 1 $extra PUBLISH "$pattern" "$payload" >/dev/null
  end=$(date +%s.%N)
  sleep 1
  local after
  after=$(cpu)
  kill "$pa" "$pb"
  wait "$pa" "$pb" 2>/dev/null || true
  local got_a got_b
  got_a=$(grep -c '^message$' "$dir/a.out" || true)
  got_b=$(grep -c '^message$' "$dir/b.out" || true)
  awk -v l="$label" -v b="$before" -v a="$after" -v n="$publishes" -v s="$start" -v e="$end" \
      -v ga="$got_a" -v gb="$got_b" 'BEGIN {
    printf "%-22s redis CPU %.2f us/publish, %.0f publishes/s, received A=%d B=%d\n",
           l, (a - b) * 1e6 / n, n / (e - s), ga, gb }'
}

# One channel: both instances subscribe to it and get every change.
echo "changes" >"$dir/one"
run "one channel" "$dir/one" "$dir/one" "changes" ""
# One per session: each instance subscribes to its half (redis-benchmark writes
# __rand_int__ as 12 zero-padded digits).
seq 0 $((sessions / 2 - 1)) | awk '{printf "s:%012d\n", $1}' >"$dir/a"
seq $((sessions / 2)) $((sessions - 1)) | awk '{printf "s:%012d\n", $1}' >"$dir/b"
run "one per session" "$dir/a" "$dir/b" "s:__rand_int__" "-r $sessions"
