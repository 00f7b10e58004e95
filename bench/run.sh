#!/usr/bin/env bash
# The load benchmark of issue 6, in one command: builds eudiplo_sse_server and the load
# generator (Release), installs the two Node.js peers from their lockfiles, then for each
# server and each scenario starts a fresh server pinned to CPU 0 (taskset -c 0) on loopback,
# runs the load generator pinned to CPU 1, and stops the server. Writes
# bench/results/<date>.md (the comparison table) and bench/results/<date>.json (raw results).
#
#   bench/run.sh [--quick] [--skip-build] [--servers "eudiplo_sse nestjs"] [--scenarios "idle burst"]
#                [--repeat N] [--redis-fsync "always everysec"]
# Servers: eudiplo_sse, bare_epoll (the C yardstick of issue 12), express_better_sse, nestjs.
#
# Two instances on one Redis (issue 10; eudiplo_sse only, bench/instances.sh): the scenarios
# burst_a_to_b, sustained_a_to_b (changes sent to A, every stream on B) and burst_mixed,
# sustained_mixed (streams and changes split over both), once per --redis-fsync mode (Redis's
# appendfsync; default "always everysec"). --repeat N runs the whole list N times, interleaved,
# and bench/results/<date>-instances.md gives the median and range of each figure beside the
# single-instance burst/sustained of the same run. The issue-10 run (about 21 minutes):
#   bench/run.sh --servers eudiplo_sse --repeat 3 --scenarios \
#     "burst burst_a_to_b burst_mixed sustained sustained_a_to_b sustained_mixed"
# Environment for them: INSTANCE_THREADS (default 1), PIN_SERVERS / PIN_REDIS / PIN_LOADGEN
# (CPUs; default 0 / 1 / 1).
#
# --quick shrinks every count and duration (a trial run of the machinery, a few minutes);
# the full run takes 15-20 minutes on 2 cores. Environment: BUILD_DIR (default build-bench),
# RESULTS_DIR (default bench/results), QUIET_WAIT / OTHER_LIMIT / ATTEMPTS (waiting for, and
# re-running scenarios disturbed by, other processes; see below).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMAND_LINE="bench/run.sh${*:+ $*}"
BUILD=${BUILD_DIR:-$ROOT/build-bench}
RESULTS=${RESULTS_DIR:-$ROOT/bench/results}
SERVERS="eudiplo_sse bare_epoll express_better_sse nestjs"
SCENARIOS="idle admission_hs256 admission_es256 admission_es256_reuse burst sustained churn"
QUICK=0
SKIP_BUILD=0
REPEAT=1
FSYNC_MODES="always everysec"
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
    --servers) SERVERS=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --redis-fsync) FSYNC_MODES=$2; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

HEARTBEAT=15
SECRET=bench-secret-0123456789abcdef0123456789abcdef
if [[ $QUICK -eq 1 ]]; then
  HEARTBEAT=2
  PARAMS=(--idle-streams 1000 --idle-seconds 5 --heartbeat 2
          --admission-seconds 3 --admission-tokens 20000
          --burst-sessions 1000 --burst-timeout 60
          --sustained-streams 1000 --sustained-rate 500 --sustained-seconds 5
          --churn-seconds 5 --churn-warmup 1)
else
  PARAMS=(--idle-streams 15000 --idle-seconds 30 --heartbeat "$HEARTBEAT"
          --admission-seconds 10 --admission-concurrency 64 --admission-sessions 1000
          --admission-tokens 120000
          --burst-sessions 10000 --burst-timeout 240
          --sustained-streams 10000 --sustained-rate 2000 --sustained-seconds 30 --drain-timeout 20
          --churn-seconds 60 --churn-warmup 5 --churn-concurrency 128 --churn-sessions 1000)
fi

# Other processes on the machine (builds, tests) distort rates and latencies: wait for a
# quiet moment before each scenario, up to QUIET_WAIT seconds, and record what was left
# (other_cpu_cores in the results).
QUIET_WAIT=${QUIET_WAIT:-120}
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }
wait_for_quiet() {
  local waited=0 b1 i1 b2 i2 pct
  while ((waited < QUIET_WAIT)); do
    read -r b1 i1 < <(cpu_ticks)
    sleep 1
    read -r b2 i2 < <(cpu_ticks)
    pct=$((100 * (b2 - b1) / ((b2 - b1) + (i2 - i1) + 1)))
    ((pct < 15)) && return 0
    ((waited == 0)) && log "machine busy (${pct}% of all CPUs in use); waiting up to ${QUIET_WAIT}s"
    waited=$((waited + 1))
  done
  log "still busy after ${QUIET_WAIT}s; measuring anyway (see other_cpu_cores in the results)"
}

log() { printf '[run.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# The newest eudiplo_sse_server under the build's examples/ (its place has moved before: a stale
# copy elsewhere in the tree must not be benchmarked).
# Empty (not a failure under pipefail) before the first build has made $BUILD/examples.
newest_server() {
  [[ -d $BUILD/examples ]] || return 0
  find "$BUILD/examples" -type f -name eudiplo_sse_server -perm -u+x -printf '%T@ %p\n' 2> /dev/null |
    sort -n | tail -n 1 | cut -d' ' -f2-
}
SERVER_BIN=$(newest_server)
LOADGEN=$BUILD/loadgen/eudiplo_sse_loadgen
# The yardstick of issue 12: a bare epoll loop in C (bench/peers/bare_epoll/server.c).
BARE_EPOLL=$BUILD/bare_epoll
build_bare_epoll() {
  mkdir -p "$BUILD"
  cc -O2 -std=c11 -Wall -Wextra -o "$BARE_EPOLL" "$ROOT/bench/peers/bare_epoll/server.c"
}
if [[ $SKIP_BUILD -eq 0 ]]; then
  build_bare_epoll
  log "building eudiplo_sse_server and eudiplo_sse_loadgen (Release) in $BUILD"
  # With the redis component, so the same binary serves the single-instance scenarios (in
  # memory) and the two-instance ones (--redis).
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DEUDIPLO_SSE_BUILD_TESTS=OFF -DEUDIPLO_SSE_BUILD_EXAMPLES=ON -DEUDIPLO_SSE_WITH_REDIS=ON > /dev/null
  ninja -C "$BUILD" -j 2 eudiplo_sse_server > /dev/null
  cmake -S "$ROOT/bench/loadgen" -B "$BUILD/loadgen" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
  ninja -C "$BUILD/loadgen" -j 2 > /dev/null
  SERVER_BIN=$(newest_server)
  log "installing the Node.js peers (npm ci)"
  (cd "$ROOT/bench/peers/nestjs" && npm ci --no-audit --no-fund --loglevel=error > /dev/null &&
     npm run --silent build)
  (cd "$ROOT/bench/peers/express_better_sse" && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
fi
[[ -x $BARE_EPOLL ]] || build_bare_epoll
[[ -x $LOADGEN ]] || { echo "run.sh: no load generator at $LOADGEN" >&2; exit 1; }

ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d)
SERVER_PID=
# shellcheck source=bench/instances.sh
source "$ROOT/bench/instances.sh"
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2> /dev/null; then kill -KILL "$SERVER_PID"; fi
  stop_two_instances
  rm -rf "$WORK"
}
trap cleanup EXIT

# ES256: a P-256 key made with openssl; the servers read its public half as a JWKS.
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/es256.pem" 2> /dev/null
"$LOADGEN" jwks --ec-key "$WORK/es256.pem" > "$WORK/jwks.json"

server_command() {  # name auth -> prints the command line
  local name=$1 auth=$2 keys
  if [[ $auth == es256 ]]; then keys=(--jwks "$WORK/jwks.json"); else keys=(--jwt-secret "$SECRET"); fi
  local common=(--listen 127.0.0.1:0 --heartbeat "$HEARTBEAT" --session-ttl 3600 "${keys[@]}")
  case $name in
    # One I/O thread for the one core it is pinned to (the default is one per core of the
    # machine); no access log, as the Node.js peers write none either; no per-tenant
    # session cap (one tenant creates every session of the run, 10,000 and more).
    eudiplo_sse) echo "$SERVER_BIN ${common[*]} --threads 1 --no-access-log --max-sessions-per-tenant 0" ;;
    bare_epoll) echo "$BARE_EPOLL ${common[*]}" ;;
    express_better_sse) echo "node $ROOT/bench/peers/express_better_sse/server.js ${common[*]}" ;;
    nestjs) echo "node $ROOT/bench/peers/nestjs/dist/main.js ${common[*]}" ;;
    *) echo "run.sh: unknown server $name" >&2; return 1 ;;
  esac
}

start_server() {  # name auth; sets SERVER_PID and SERVER_URL
  local cmd
  cmd=$(server_command "$1" "$2")
  # A previous run's file would still show its (dead) address until the shell truncates it.
  rm -f "$WORK/server.out" "$WORK/server.err"
  # shellcheck disable=SC2086  # the command line is split on purpose
  taskset -c 0 $cmd > "$WORK/server.out" 2> "$WORK/server.err" &
  SERVER_PID=$!
  SERVER_URL=
  for _ in $(seq 300); do
    SERVER_URL=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$WORK/server.out" | head -n 1)
    [[ -n $SERVER_URL ]] && return 0
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.1
  done
  echo "run.sh: $1 did not start:" >&2
  cat "$WORK/server.out" "$WORK/server.err" >&2
  return 1
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2> /dev/null || true
  for _ in $(seq 100); do
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER_PID" 2> /dev/null || true
  wait "$SERVER_PID" 2> /dev/null || true
  SERVER_PID=
}

if [[ -z $SERVER_BIN || ! -x $SERVER_BIN ]] && [[ " $SERVERS " == *" eudiplo_sse "* ]]; then
  echo "run.sh: eudiplo_sse_server was not built (examples missing?)" >&2
  exit 1
fi

mkdir -p "$RESULTS"
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
RAW=$WORK/raw
mkdir -p "$RAW"
{
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "memory:   $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel:   $(uname -sr)"
  echo "compiler: $(c++ --version | head -n 1) (Release build)"
  echo "node:     $(node --version)"
  echo "server:   $SERVER_BIN (built $(date -u -r "$SERVER_BIN" '+%Y-%m-%d %H:%M:%S UTC' 2> /dev/null))"
  echo "pinning:  server on CPU 0 (taskset -c 0), load generator on CPU 1 (taskset -c 1)"
  echo "two-instance scenarios: both servers on CPU $PIN_SERVERS (--threads $INSTANCE_THREADS each), redis-server on CPU $PIN_REDIS, load generator on CPU $PIN_LOADGEN"
  echo "redis:    $(redis-server --version 2> /dev/null | cut -d' ' -f1-3); AOF on, appendfsync per result label; data in a temporary directory on $(df --output=source "$WORK" | tail -n 1)"
  echo "load:     $(uptime | sed 's/^.*load average/load average/') at the start"
  echo "limits:   open files $(ulimit -n); loopback source addresses 127.0.0.2-127.0.0.9"
  [[ $QUICK -eq 1 ]] && echo "mode:     --quick (reduced counts, not the full benchmark)"
} > "$WORK/machine.txt"
cat "$WORK/machine.txt"

# A scenario during which other processes used more than OTHER_LIMIT cores is run again (fresh
# server), up to ATTEMPTS times in all; the least disturbed attempt is kept.
OTHER_LIMIT=${OTHER_LIMIT:-0.25}
ATTEMPTS=${ATTEMPTS:-2}
other_cores() {  # the most CPU other processes used during any scenario of a result file
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(Math.max(0, ...r.map((x) => x.server_process.other_cpu_cores)).toFixed(3))' "$1"
}
failures=0
mkdir -p "$WORK/tries" "$WORK/raw2"
# One scenario, retried while other processes disturbed it: server, scenario, fsync mode
# (two-instance scenarios only, else empty), the raw file to keep.
run_scenario() {
  local server=$1 scenario=$2 fsync=$3 keep=$4 auth=hs256 best= best_other= attempt try other label
  [[ $scenario == admission_es256* ]] && auth=es256
  local auth_args=(--auth "$auth" --jwt-secret "$SECRET")
  [[ $auth == es256 ]] && auth_args=(--auth es256 --ec-key "$WORK/es256.pem")
  label=$server${fsync:+ (redis, appendfsync $fsync)}
  for attempt in $(seq "$ATTEMPTS"); do
    wait_for_quiet
    if ((attempt == 1)); then log "$label: $scenario"; else log "$label: $scenario, attempt $attempt"; fi
    try=$WORK/tries/$server-$scenario-$fsync-$attempt.json
    rm -f "$try"
    if [[ -n $fsync ]]; then
      run_two_instance_attempt "$scenario" "$fsync" "$try" || failures=$((failures + 1))
    else
      start_server "$server" "$auth" || { failures=$((failures + 1)); break; }
      taskset -c 1 "$LOADGEN" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "$server" \
        --scenarios "$scenario" "${auth_args[@]}" "${PARAMS[@]}" --json "$try" ||
        failures=$((failures + 1))
      stop_server
    fi
    [[ -s $try ]] || break
    other=$(other_cores "$try")
    if [[ -z $best ]] || node -e "process.exit($other < $best_other ? 0 : 1)"; then
      best=$try best_other=$other
    fi
    node -e "process.exit($other > $OTHER_LIMIT ? 0 : 1)" || break
    log "other processes used $other cores during $label: $scenario"
  done
  if [[ -n $best ]]; then cp "$best" "$keep"; fi
}

TWO_INSTANCE=0
for scenario in $SCENARIOS; do is_two_instance_scenario "$scenario" && TWO_INSTANCE=1; done
if ((TWO_INSTANCE)) && ! command -v redis-server > /dev/null; then
  echo "run.sh: the two-instance scenarios need redis-server (scripts/install_deps.sh)" >&2
  exit 1
fi
for rep in $(seq "$REPEAT"); do
  ((REPEAT == 1)) || log "repetition $rep of $REPEAT"
  for server in $SERVERS; do
    for scenario in $SCENARIOS; do
      if ! is_two_instance_scenario "$scenario"; then
        run_scenario "$server" "$scenario" "" "$RAW/$server-$scenario-r$rep.json"
      elif [[ $server == eudiplo_sse ]]; then
        for fsync in $FSYNC_MODES; do
          run_scenario "$server" "$scenario" "$fsync" "$WORK/raw2/$fsync-$scenario-r$rep.json"
        done
      fi
    done
  done
done
log "load at the end: $(uptime | sed 's/^.*load average/load average/')"

node "$ROOT/bench/loadgen/report.mjs" --out "$RESULTS/$STAMP.md" --json "$RESULTS/$STAMP.json" \
  --machine "$WORK/machine.txt" --command "$COMMAND_LINE" \
  --title "Load benchmark $STAMP" "$RAW"/*-r1.json
log "wrote $RESULTS/$STAMP.md and $RESULTS/$STAMP.json"
if ((TWO_INSTANCE || REPEAT > 1)); then
  shopt -s nullglob
  node "$ROOT/bench/loadgen/report_instances.mjs" --out "$RESULTS/$STAMP-instances.md" \
    --json "$RESULTS/$STAMP-instances.json" --machine "$WORK/machine.txt" \
    --command "$COMMAND_LINE" --title "Two instances on one Redis, $STAMP" \
    "$RAW"/*.json "$WORK"/raw2/*.json
  shopt -u nullglob
  log "wrote $RESULTS/$STAMP-instances.md and $RESULTS/$STAMP-instances.json"
fi
[[ $failures -eq 0 ]] || log "$failures runs of the load generator failed"
