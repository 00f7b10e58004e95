#!/usr/bin/env bash
# Where the memory of an idle stream goes (issue 12): runs the Release eudiplo_sse_server
# (the build of bench/run.sh) under heaptrack, opens N idle streams with the load generator
# (one session each, as the idle scenario does), stops the server and prints heaptrack's
# peak consumers. Divide a consumer's peak by N for its bytes per stream (requested
# bytes; glibc adds 8-16 per block).
#
#   bench/heap_per_stream.sh [N]        N: streams (default 2000); needs heaptrack
#
# Environment: BUILD_DIR (default build-bench), OUT (default /tmp/eudiplo_sse_heap).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
N=${1:-2000}
OUT=${OUT:-/tmp/eudiplo_sse_heap}
SECRET=bench-secret-0123456789abcdef0123456789abcdef
BIN=$(readlink -f "$BUILD/examples/eudiplo_sse_server")
[[ -x $BIN ]] || { echo "heap_per_stream.sh: build with bench/run.sh first ($BIN)" >&2; exit 1; }
command -v heaptrack > /dev/null || { echo "heap_per_stream.sh: apt-get install heaptrack" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
rm -f "$OUT".zst "$OUT".gz
heaptrack -o "$OUT" "$BIN" --listen 127.0.0.1:0 --heartbeat 15 --session-ttl 3600 \
  --jwt-secret "$SECRET" --threads 1 --no-access-log --max-sessions-per-tenant 0 > "$OUT.out" 2>&1 &
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$OUT.out" | head -n 1)
  [[ -n $URL ]] && break
  sleep 0.2
done
[[ -n $URL ]] || { echo "heap_per_stream.sh: the server did not start:" >&2; cat "$OUT.out" >&2; exit 1; }
PID=$(pgrep -n -f "^$BIN --listen")
"$BUILD/loadgen/eudiplo_sse_loadgen" --url "$URL" --server-pid "$PID" --scenarios idle --auth hs256 \
  --jwt-secret "$SECRET" --idle-streams "$N" --idle-seconds 3 | grep -E "streams open|RSS per"
kill "$PID"
wait
heaptrack_print -f "$OUT.zst" --print-peaks 1 --print-allocators 0 --print-temporary 0 \
  --print-leaks 0 --peak-limit 16 --sub-peak-limit 1 2> /dev/null
