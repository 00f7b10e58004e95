#!/usr/bin/env bash
# Makes the certificates of the TLS Redis tests in DIR, once (kept when present):
#   ca.crt            the CA that signs the rest
#   server.crt/.key   Redis's, for 127.0.0.1 and localhost (not 127.0.0.2)
#   client.crt/.key   a client certificate (Redis runs with tls-auth-clients yes)
#   other-ca.crt      an unrelated CA, which must NOT verify the server
# P-256 keys (quick to make); valid for a day, as the tests run at once.
set -euo pipefail
dir=$1
[ -f "$dir/ready" ] && exit 0
mkdir -p "$(dirname "$dir")"
tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key" 2>/dev/null; }
ca() {
  key "$1"
  openssl req -x509 -new -key "$tmp/$1.key" -days 1 -subj "/CN=eudiplo_sse test $1" \
    -out "$tmp/$1.crt" 2>/dev/null
}
signed() {  # name subject extensions
  key "$1"
  openssl req -new -key "$tmp/$1.key" -subj "$2" -out "$tmp/$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
    -days 1 -extfile "$tmp/$1.ext" -out "$tmp/$1.crt" 2>/dev/null
}
ca ca
ca other-ca
signed server "/CN=localhost" "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
signed client "/CN=eudiplo_sse test client" "extendedKeyUsage=clientAuth"
chmod 600 "$tmp"/*.key
touch "$tmp/ready"
# Atomic: a concurrent first use keeps whichever set landed first.
mv -T "$tmp" "$dir" 2>/dev/null || true
[ -f "$dir/ready" ]
