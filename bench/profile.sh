#!/usr/bin/env bash
# Where the server's time goes in one scenario of bench/run.sh (issue 12): starts a server
# pinned to CPU 0 exactly as run.sh does, runs one scenario of the load generator on CPU 1,
# and attaches `perf stat` (task clock, context switches, syscalls by kind) and
# `perf record -g` to the server only for the measured phase:
#   burst:      from the moment every stream is open until the streams start closing
#               (the 10,000 PATCHes and their events, not the setup);
#   admission_hs256: the whole scenario (its setup is 1,000 POST /session, under 2%).
#
#   bench/profile.sh SERVER SCENARIO OUT_DIR     SERVER: eudiplo_sse | bare_epoll
#
# Needs the build of run.sh (BUILD_DIR, default build-bench) and linux-perf. Writes
# OUT_DIR/SERVER-SCENARIO.{stat,report,loadgen.json}.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
SERVER=$1 SCENARIO=$2 OUT=$3
SECRET=bench-secret-0123456789abcdef0123456789abcdef
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"
case $SERVER in
  eudiplo_sse) BIN=$(find "$BUILD/examples" -type f -name eudiplo_sse_server -perm -u+x | head -n 1)
               EXTRA=(--threads 1 --no-access-log --max-sessions-per-tenant 0) ;;
  bare_epoll) BIN=$BUILD/bare_epoll EXTRA=() ;;
  *) echo "profile.sh: unknown server $SERVER" >&2; exit 2 ;;
esac
case $SCENARIO in
  burst) PARAMS=(--burst-sessions 10000 --burst-timeout 240) STREAMS=10000 ;;
  admission_hs256) PARAMS=(--admission-seconds 10 --admission-concurrency 64
                           --admission-sessions 1000 --admission-tokens 120000) STREAMS=0 ;;
  *) echo "profile.sh: scenario burst or admission_hs256" >&2; exit 2 ;;
esac
base="$OUT/$SERVER-$SCENARIO"
taskset -c 0 "$BIN" --listen 127.0.0.1:0 --heartbeat 15 --session-ttl 3600 --jwt-secret "$SECRET" \
  "${EXTRA[@]}" > "$base.server.out" 2>&1 &
PID=$!
trap 'kill -KILL $PID 2> /dev/null || true' EXIT
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$base.server.out" | head -n 1)
  [[ -n $URL ]] && break
  sleep 0.1
done
taskset -c 1 "$BUILD/loadgen/eudiplo_sse_loadgen" --url "$URL" --server-pid "$PID" --label "$SERVER" \
  --scenarios "$SCENARIO" --auth hs256 --jwt-secret "$SECRET" "${PARAMS[@]}" \
  --json "$base.loadgen.json" > "$base.loadgen.out" 2>&1 &
LG=$!
open_fds() { find "/proc/$PID/fd" -mindepth 1 2> /dev/null | wc -l; }
# Wait for every stream to be open (the load generator then pauses for one second).
while ((STREAMS > 0)) && (($(open_fds) < STREAMS)); do sleep 0.05; done
EVENTS='task-clock,context-switches,raw_syscalls:sys_enter,syscalls:sys_enter_write'
EVENTS+=',syscalls:sys_enter_writev,syscalls:sys_enter_sendmsg,syscalls:sys_enter_read'
EVENTS+=',syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl'
EVENTS+=',syscalls:sys_enter_accept4,syscalls:sys_enter_futex,syscalls:sys_enter_close'
EVENTS+=',syscalls:sys_enter_sendto,syscalls:sys_enter_shutdown,syscalls:sys_enter_setsockopt'
perf stat -e "$EVENTS" -p "$PID" -o "$base.stat" &
STAT=$!
perf record -q -g -F 4999 -p "$PID" -o "$base.perf.data" 2> /dev/null &
REC=$!
if ((STREAMS > 0)); then
  # Until the streams start closing (the burst is over).
  while kill -0 "$LG" 2> /dev/null && (($(open_fds) > STREAMS * 9 / 10)); do sleep 0.02; done
else
  wait "$LG" || true
fi
kill -INT "$STAT" "$REC"
wait "$STAT" "$REC" 2> /dev/null || true
wait "$LG" 2> /dev/null || true
perf report -i "$base.perf.data" --no-children --percent-limit 0.7 --stdio -g none \
  --sort dso,symbol 2> /dev/null | grep -v '^$' > "$base.report"
perf report -i "$base.perf.data" --children --percent-limit 3 --stdio -g none \
  --sort symbol 2> /dev/null | grep -v '^$' > "$base.children"
perf report -i "$base.perf.data" --no-children --stdio --sort dso 2> /dev/null | grep -v "^$" > "$base.dso"
rm -f "$base.perf.data"
echo "wrote $base.stat $base.report $base.children"
