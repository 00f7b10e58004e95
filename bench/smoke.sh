#!/usr/bin/env bash
# A small run of the load generator against eudiplo_sse_server, so that it cannot rot: a few
# hundred streams, a few seconds per scenario. Fails (exit 1) when an event is lost, a request
# or stream fails, or the wire format deviates from docs/contract.md.
# Then the two-instance scenarios of issue 10 (bench/instances.sh) in small: a redis-server of
# its own (redis/tests/redis_fixture.sh: loopback, free port, AOF appendfsync always, temporary
# directory) and two servers on it, with the same failure rules (about 10 s). Skipped, with a
# note, when redis-server is missing or the server was built without the redis component.
#
#   bench/smoke.sh <path-to-eudiplo_sse_server> [path-to-eudiplo_sse_loadgen]
#
# Without the second argument (or $LOADGEN) the load generator is built (Release) in
# <the server's build dir>/bench-loadgen-smoke from bench/loadgen.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <path-to-eudiplo_sse_server> [path-to-eudiplo_sse_loadgen]" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=$(realpath "$1")
LOADGEN=${2:-${LOADGEN:-}}
[[ -x $SERVER ]] || { echo "smoke: no server binary at $SERVER" >&2; exit 2; }

if [[ -z $LOADGEN ]]; then
  # The server's CMake build directory: the nearest ancestor holding a CMakeCache.txt.
  BUILD=$(dirname "$SERVER")
  while [[ $BUILD != / && ! -f $BUILD/CMakeCache.txt ]]; do BUILD=$(dirname "$BUILD"); done
  [[ -f $BUILD/CMakeCache.txt ]] || BUILD=$(dirname "$SERVER")
  BUILD=$BUILD/bench-loadgen-smoke
  GENERATOR=()
  command -v ninja > /dev/null && GENERATOR=(-G Ninja)
  cmake -S "$ROOT/bench/loadgen" -B "$BUILD" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$BUILD" -j 2 > /dev/null
  LOADGEN=$BUILD/eudiplo_sse_loadgen
fi
[[ -x $LOADGEN ]] || { echo "smoke: no load generator at $LOADGEN" >&2; exit 2; }

ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
WORK=$(mktemp -d)
SERVER_PID=
PAIR_PIDS=()
REDIS_DIR=$WORK/redis
cleanup() {
  local pid
  for pid in $SERVER_PID "${PAIR_PIDS[@]}"; do
    if kill -0 "$pid" 2> /dev/null; then
      kill -TERM "$pid" 2> /dev/null || true
      wait "$pid" 2> /dev/null || true
    fi
  done
  "$ROOT/redis/tests/redis_fixture.sh" stop "$REDIS_DIR" 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SECRET=smoke-secret-0123456789abcdef0123456789abcdef
"$SERVER" --listen 127.0.0.1:0 --jwt-secret "$SECRET" --heartbeat 1 --session-ttl 600 \
  > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 100); do
  URL=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$WORK/server.out" | head -n 1)
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" 2> /dev/null || break
  sleep 0.1
done
if [[ -z $URL ]]; then
  echo "smoke: the server did not print 'listening on http://HOST:PORT'" >&2
  cat "$WORK/server.out" "$WORK/server.err" >&2
  exit 1
fi

status=0
"$LOADGEN" --url "$URL" --server-pid "$SERVER_PID" --label eudiplo_sse --jwt-secret "$SECRET" \
  --scenarios burst,sustained,admission_hs256,churn,idle \
  --burst-sessions 300 --burst-timeout 20 \
  --sustained-streams 300 --sustained-rate 300 --sustained-seconds 3 --drain-timeout 5 \
  --admission-seconds 2 --admission-sessions 50 --admission-concurrency 16 --admission-tokens 20000 \
  --churn-seconds 2 --churn-warmup 0.5 --churn-sessions 50 --churn-concurrency 16 \
  --idle-streams 300 --idle-seconds 2.5 --heartbeat 1 \
  --setup-timeout 30 --json "$WORK/smoke.json" --fail-on-loss --fail-on-deviation || status=$?

kill -TERM "$SERVER_PID"
server_status=0
wait "$SERVER_PID" || server_status=$?
SERVER_PID=
if [[ $server_status -ne 0 ]]; then
  echo "smoke: note: the server exited with status $server_status on SIGTERM (contract: 0)" >&2
fi
if [[ $status -ne 0 ]]; then
  echo "smoke: FAILED (load generator exit status $status)" >&2
  exit 1
fi
echo "smoke: one instance passed"

# Two instances on one Redis.
if ! command -v redis-server > /dev/null; then
  echo "smoke: note: no redis-server, the two-instance scenarios were skipped"
  echo "smoke: passed"
  exit 0
fi
"$ROOT/redis/tests/redis_fixture.sh" start "$REDIS_DIR"
REDIS_PORT=$(cat "$REDIS_DIR/port")
urls=()
for i in 0 1; do
  rm -f "$WORK/pair$i.out"
  "$SERVER" --listen 127.0.0.1:0 --jwt-secret "$SECRET" --heartbeat 1 --session-ttl 600 \
    --threads 2 --redis "redis://127.0.0.1:$REDIS_PORT/0" \
    > "$WORK/pair$i.out" 2> "$WORK/pair$i.err" &
  PAIR_PIDS+=($!)
  url=
  for _ in $(seq 100); do
    url=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$WORK/pair$i.out" 2> /dev/null | head -n 1 || true)
    [[ -n $url ]] && break
    kill -0 "${PAIR_PIDS[$i]}" 2> /dev/null || break
    sleep 0.1
  done
  if [[ -z $url ]] && grep -q "built without Redis support" "$WORK/pair$i.err"; then
    echo "smoke: note: the server has no redis component, the two-instance scenarios were skipped"
    echo "smoke: passed"
    exit 0
  fi
  if [[ -z $url ]]; then
    echo "smoke: instance $i on Redis did not start" >&2
    cat "$WORK/pair$i.out" "$WORK/pair$i.err" >&2
    exit 1
  fi
  urls+=("$url")
done
status=0
"$LOADGEN" --url "${urls[0]}" --url-b "${urls[1]}" --server-pid "${PAIR_PIDS[0]}" \
  --server-pid-b "${PAIR_PIDS[1]}" --redis-pid "$(cat "$REDIS_DIR/redis.pid")" \
  --label eudiplo_sse_redis --jwt-secret "$SECRET" \
  --scenarios burst_a_to_b,burst_mixed,sustained_a_to_b,sustained_mixed \
  --burst-sessions 200 --burst-timeout 20 \
  --sustained-streams 200 --sustained-rate 200 --sustained-seconds 2 --drain-timeout 5 \
  --setup-timeout 30 --json "$WORK/smoke-redis.json" --fail-on-loss --fail-on-deviation ||
  status=$?
for i in 0 1; do
  kill -TERM "${PAIR_PIDS[$i]}"
  server_status=0
  wait "${PAIR_PIDS[$i]}" || server_status=$?
  if [[ $server_status -ne 0 ]]; then
    echo "smoke: note: instance $i exited with status $server_status on SIGTERM (contract: 0)" >&2
  fi
done
PAIR_PIDS=()
if [[ $status -ne 0 ]]; then
  echo "smoke: FAILED on two instances (load generator exit status $status)" >&2
  exit 1
fi
echo "smoke: passed"
