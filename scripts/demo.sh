#!/usr/bin/env bash
# From a fresh Debian 12 checkout to a live event stream: installs the missing
# packages, builds eudiplo_sse_server (Release, in ./build/demo), starts it with the
# in-memory store and the demo client, and prints the demo page's URL and the curl
# commands to try it.
#
#   ./scripts/demo.sh                 listen on 127.0.0.1:8080
#   PORT=9000 ./scripts/demo.sh       another port (0 picks a free one)
#   BUILD_DIR=out ./scripts/demo.sh   another build directory
#
# Extra arguments go to the server, e.g. ./scripts/demo.sh --heartbeat 5
# Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PORT:-8080}"
build_dir="${BUILD_DIR:-build/demo}"
packages=(cmake ninja-build g++ libasio-dev rapidjson-dev libssl-dev libqrencode-dev pkg-config curl)

step() { printf '\n==> %s\n' "$*"; }

step "checking packages"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "missing packages: ${missing[*]}; run as root or install sudo" >&2
      exit 1
    fi
    sudo="sudo"
  fi
  echo "installing: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
else
  echo "all present"
fi

step "building eudiplo_sse_server (Release, $build_dir/)"
# Tests need Catch2, which the demo does not: only the server is configured and built.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DEUDIPLO_SSE_BUILD_EXAMPLES=ON -DEUDIPLO_SSE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" --target eudiplo_sse_server -j "$(nproc)"
server="$build_dir/examples/eudiplo_sse_server"

step "starting $server"
log_dir=$(mktemp -d)
fifo="$log_dir/stdout"
mkfifo "$fifo"
"$server" --listen "127.0.0.1:$port" "$@" >"$fifo" &
server_pid=$!
cleanup() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$log_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

exec 3<"$fifo"
url=""
while IFS= read -r line <&3; do
  echo "$line"
  case "$line" in
    "listening on "*) url="${line#listening on }"; break ;;
  esac
done
if [ -z "$url" ]; then
  echo "the server did not start (see the messages above)" >&2
  exit 1
fi
# Keep draining stdout so the server never blocks on it.
cat <&3 >/dev/null &

# The page lives under --base-path when one is given (either spelling).
base_path=""
prev=""
for arg in "$@"; do
  case "$arg" in
    --base-path=*) base_path="${arg#--base-path=}" ;;
    *) [ "$prev" = "--base-path" ] && base_path="$arg" ;;
  esac
  prev="$arg"
done
base_path="/${base_path#/}"
base_path="${base_path%/}"

cat <<EOT

Live demo page: $url$base_path/
  (open it in a browser: sign in as the demo client, create a session, play the wallet;
   its client logic is examples/web/session-status.js, ready to copy)

eudiplo_sse_server is running at $url (in-memory sessions, demo client demo:demo-secret).
Or, in another terminal, copy and paste:

  # 1. a token for the demo client (OAuth 2.0 client credentials)
  TOKEN=\$(curl -s -u demo:demo-secret -X POST $url/oauth2/token | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

  # 2. a session
  SESSION=\$(curl -s -X POST -H "Authorization: Bearer \$TOKEN" $url/session | sed -E 's/.*"id":"([^"]+)".*/\1/')
  echo "session \$SESSION"

  # 3. follow it (in the background, so this terminal stays free)
  curl -sN "$url/session/\$SESSION/events?token=\$TOKEN" &
  sleep 1

  # 4. move it along; every change arrives on the stream at once
  curl -s -X PATCH -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
    -d '{"status":"fetched"}' $url/session/\$SESSION; echo
  sleep 1
  curl -s -X PATCH -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
    -d '{"status":"completed"}' $url/session/\$SESSION; echo
  # the stream ends after the terminal status; a session left alone turns "expired"
  # after 300 s (--session-ttl), with ": keep-alive" comments every 15 s meanwhile.

  # polling fallback, health and metrics
  curl -s -H "Authorization: Bearer \$TOKEN" $url/session/\$SESSION; echo
  curl -s $url/healthz; echo
  curl -s $url/metrics

Requests are logged below (tokens redacted). Stop the server with Ctrl-C.

EOT
wait "$server_pid"
