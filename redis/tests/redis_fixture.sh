#!/usr/bin/env bash
# Starts or stops a throw-away redis-server for the Redis tests: loopback only, a
# free port, AOF with fsync on every write, everything in DIR.
#   redis_fixture.sh start DIR [PORT]   writes DIR/port; PORT reuses one (restart)
#   redis_fixture.sh stop DIR           shuts it down (no save: the AOF is the data)
#
# With EUDIPLO_SSE_REDIS_TLS_DIR set, the port speaks TLS only (rediss://) and
# requires a client certificate (tls-auth-clients yes); the certificates are made
# in that directory on first use (redis_tls_certs.sh) and shared by every instance.
# It then also listens on 127.0.0.2, a name its certificate does not hold.
set -euo pipefail
cmd=$1
dir=$2
mkdir -p "$dir"
tls_dir=${EUDIPLO_SSE_REDIS_TLS_DIR:-}
tls_args=()
cli_tls=()
if [ -n "$tls_dir" ]; then
  "$(dirname "$0")/redis_tls_certs.sh" "$tls_dir"
  cli_tls=(--tls --cacert "$tls_dir/ca.crt" --cert "$tls_dir/client.crt" --key "$tls_dir/client.key")
fi
cli() { redis-cli "${cli_tls[@]}" -h 127.0.0.1 -p "$1" "${@:2}"; }
case "$cmd" in
  start)
    port=${3:-}
    if [ -z "$port" ]; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    fi
    listen=(--bind 127.0.0.1 --port "$port")
    if [ -n "$tls_dir" ]; then
      listen=(--bind 127.0.0.1 127.0.0.2 --port 0 --tls-port "$port"
        --tls-cert-file "$tls_dir/server.crt" --tls-key-file "$tls_dir/server.key"
        --tls-ca-cert-file "$tls_dir/ca.crt" --tls-auth-clients yes)
    fi
    redis-server "${listen[@]}" --dir "$dir" --appendonly yes \
      --appendfsync always --save '' --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --protected-mode yes
    for _ in $(seq 1 100); do
      if cli "$port" ping 2>/dev/null | grep -q PONG; then
        echo "$port" >"$dir/port"
        exit 0
      fi
      sleep 0.05
    done
    echo "redis-server did not start on port $port; log:" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    [ -f "$dir/port" ] || exit 0
    port=$(cat "$dir/port")
    cli "$port" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
      [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || exit 0
      sleep 0.05
    done
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
