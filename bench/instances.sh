# Sourced by bench/run.sh: the two-instance scenarios of issue 10 (burst_a_to_b, burst_mixed,
# sustained_a_to_b, sustained_mixed). Each attempt starts a fresh redis-server (loopback, a
# free port, AOF with the given appendfsync, in a temporary directory, as
# redis/tests/redis_fixture.sh does for the tests) and two eudiplo_sse_server processes on it,
# runs the load generator against both, and stops all three.
#
# Placement on the 2-core machine (override with PIN_SERVERS / PIN_REDIS / PIN_LOADGEN): both
# servers share CPU 0, as the one server of the single-instance scenarios does, so the two
# instances get the same CPU budget as one; redis-server shares CPU 1 with the load generator.
# INSTANCE_THREADS (default 1, as the single-instance server): I/O threads of each instance.
# The example server answers store calls later (deferred answers), so one thread keeps many
# PATCHes in flight; before that it waited on an I/O thread for each Redis round trip and the
# first runs used 4 (docs/benchmarks.md, "Issue 10"). Each instance runs with
# --max-sessions-per-tenant 0: the load generator's one tenant opens more than the default cap.

PIN_SERVERS=${PIN_SERVERS:-0}
PIN_REDIS=${PIN_REDIS:-1}
PIN_LOADGEN=${PIN_LOADGEN:-1}
INSTANCE_THREADS=${INSTANCE_THREADS:-1}
REDIS_PID=
REDIS_PORT=
INSTANCE_PIDS=()
INSTANCE_URLS=()

is_two_instance_scenario() { [[ $1 == *_a_to_b || $1 == *_mixed ]]; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_redis() {  # appendfsync; sets REDIS_PID and REDIS_PORT
  local fsync=$1 dir=$WORK/redis
  rm -rf "$dir"
  mkdir -p "$dir"
  REDIS_PORT=$(free_port)
  taskset -c "$PIN_REDIS" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" \
    --appendonly yes --appendfsync "$fsync" --save '' --protected-mode yes \
    --logfile "$dir/redis.log" > /dev/null 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 200); do
    redis-cli -p "$REDIS_PORT" ping 2> /dev/null | grep -q PONG && return 0
    kill -0 "$REDIS_PID" 2> /dev/null || break
    sleep 0.05
  done
  echo "run.sh: redis-server did not start:" >&2
  cat "$dir/redis.log" >&2 || true
  return 1
}

stop_redis() {
  [[ -n $REDIS_PID ]] || return 0
  redis-cli -p "$REDIS_PORT" shutdown nosave > /dev/null 2>&1 || kill -TERM "$REDIS_PID" 2> /dev/null || true
  for _ in $(seq 100); do
    kill -0 "$REDIS_PID" 2> /dev/null || break
    sleep 0.05
  done
  kill -KILL "$REDIS_PID" 2> /dev/null || true
  wait "$REDIS_PID" 2> /dev/null || true
  REDIS_PID=
}

start_instance() {  # index; appends to INSTANCE_PIDS and INSTANCE_URLS
  local i=$1 url=
  # A previous attempt's file would still show its (dead) address until the shell truncates it.
  rm -f "$WORK/instance$i.out" "$WORK/instance$i.err"
  # shellcheck disable=SC2086  # the command line is split on purpose
  taskset -c "$PIN_SERVERS" "$SERVER_BIN" --listen 127.0.0.1:0 --heartbeat "$HEARTBEAT" \
    --session-ttl 3600 --jwt-secret "$SECRET" --threads "$INSTANCE_THREADS" --no-access-log \
    --max-sessions-per-tenant 0 --redis "redis://127.0.0.1:$REDIS_PORT/0" > "$WORK/instance$i.out" 2> "$WORK/instance$i.err" &
  INSTANCE_PIDS+=($!)
  for _ in $(seq 300); do
    url=$(sed -n 's/^.*listening on \(http:\/\/[^ ]*\).*$/\1/p' "$WORK/instance$i.out" 2> /dev/null | head -n 1 || true)
    [[ -n $url ]] && break
    kill -0 "${INSTANCE_PIDS[-1]}" 2> /dev/null || break
    sleep 0.1
  done
  if [[ -z $url ]]; then
    echo "run.sh: instance $i did not start:" >&2
    cat "$WORK/instance$i.out" "$WORK/instance$i.err" >&2
    return 1
  fi
  INSTANCE_URLS+=("$url")
}

stop_instances() {
  local pid
  for pid in "${INSTANCE_PIDS[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${INSTANCE_PIDS[@]}"; do
    for _ in $(seq 100); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  INSTANCE_PIDS=()
  INSTANCE_URLS=()
}

stop_two_instances() {
  stop_instances
  stop_redis
}

# One attempt of a two-instance scenario: scenario, appendfsync, result file. Fails when
# something did not start; the load generator's own failures are counted by the caller.
run_two_instance_attempt() {
  local scenario=$1 fsync=$2 try=$3
  start_redis "$fsync" || return 1
  start_instance 0 && start_instance 1 || { stop_two_instances; return 1; }
  local status=0
  taskset -c "$PIN_LOADGEN" "$LOADGEN" --url "${INSTANCE_URLS[0]}" --url-b "${INSTANCE_URLS[1]}" \
    --server-pid "${INSTANCE_PIDS[0]}" --server-pid-b "${INSTANCE_PIDS[1]}" \
    --redis-pid "$REDIS_PID" --label "eudiplo_sse_redis_$fsync" --scenarios "$scenario" \
    --auth hs256 --jwt-secret "$SECRET" "${PARAMS[@]}" --json "$try" || status=$?
  stop_two_instances
  return "$status"
}
