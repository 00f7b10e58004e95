#!/usr/bin/env bash
# Starts or stops a throw-away redis-server for the Redis tests: loopback only, a
# free port, AOF with fsync on every write, everything in DIR.
#   redis_fixture.sh start DIR [PORT]   writes DIR/port; PORT reuses one (restart)
#   redis_fixture.sh stop DIR           shuts it down (no save: the AOF is the data)
set -euo pipefail
cmd=$1
dir=$2
mkdir -p "$dir"
case "$cmd" in
  start)
    port=${3:-}
    if [ -z "$port" ]; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    fi
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes \
      --appendfsync always --save '' --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --protected-mode yes
    for _ in $(seq 1 100); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
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
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
      [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || exit 0
      sleep 0.05
    done
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
