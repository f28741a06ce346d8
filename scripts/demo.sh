#!/bin/sh
# SPDX-License-Identifier: MIT
# `make demo` (after `make deps` and `make all`): serve a small sample site with nghttpd on
# a free loopback port, with a CA and certificate made for this run, fetch it with
# `./h2get -v`, then fetch several URLs in one invocation (one HTTP/2 connection) into a
# temporary directory with -o and -O, show the files and check their SHA-256 sums. The
# server is stopped and the directory removed on exit, whatever happens. POSIX sh.
set -eu
cd "$(dirname "$0")/.."

H2GET=${H2GET:-./h2get}
pid=""
tmp=""

say() {
    if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
        printf '\n\033[1m==> %s\033[0m\n' "$*"
    else
        printf '\n==> %s\n' "$*"
    fi
}

die() {
    printf 'demo: %s\n' "$*" >&2
    exit 1
}

# find_bin NAME: NAME on PATH or in the sbin directories (nghttpd lives in /usr/sbin).
find_bin() {
    command -v "$1" 2>/dev/null && return 0
    for d in /usr/sbin /sbin /usr/local/sbin; do
        [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}

cleanup() {
    set +e # stdout may be a closed pipe by now: clean up whatever the echo says
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    [ -n "$tmp" ] && rm -rf "$tmp"
    [ -n "$pid" ] && echo "demo: stopped nghttpd (pid $pid), removed $tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_port PORT: until it accepts connections (10 s at most) while nghttpd lives.
wait_port() {
    python3 - "$1" "$pid" <<'EOF'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(100):
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# run CMD...: show a command, run it, and stop the demo if it fails.
run() {
    printf '$ %s\n' "$*"
    rc=0
    "$@" || rc=$?
    [ "$rc" = 0 ] || die "'$1' exited with status $rc"
}

[ -x "$H2GET" ] || die "no $H2GET: run 'make all' first"
NGHTTPD=$(find_bin nghttpd) || die "nghttpd is missing: run 'make deps' (nghttp2-server)"
command -v certtool >/dev/null || die "certtool is missing: run 'make deps' (gnutls-bin)"
command -v python3 >/dev/null || die "python3 is missing: run 'make deps'"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/h2get-demo.XXXXXX")

say "Making a throw-away CA and a certificate for localhost (certtool)"
sh scripts/demo/mkcerts.sh "$tmp/certs"
echo "CA: $tmp/certs/ca.pem"

say "Making a sample site: index.html, style.css, hello.txt, data/random-4MiB.bin"
sh scripts/demo/mkdocroot.sh "$tmp/www"

for _ in 1 2 3; do
    port=$(free_port)
    "$NGHTTPD" -a localhost -d "$tmp/www" "$port" "$tmp/certs/server.key" \
        "$tmp/certs/server.pem" >"$tmp/nghttpd.log" 2>&1 &
    pid=$!
    wait_port "$port" && break
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
done
[ -n "$pid" ] || die "nghttpd did not start: $(cat "$tmp/nghttpd.log")"
base="https://localhost:$port"
say "nghttpd (pid $pid) serves $base/ on loopback only"

say "One fetch with -v: TLS version, cipher, ALPN, certificate, then the request and response"
run "$H2GET" -v --cacert "$tmp/certs/ca.pem" "$base/"

say "Four URLs in one invocation, as concurrent streams on one connection, with -o and -O"
mkdir "$tmp/out"
run "$H2GET" --cacert "$tmp/certs/ca.pem" --output-dir "$tmp/out" \
    -o index.html "$base/" -O "$base/style.css" -O "$base/hello.txt" \
    -O "$base/data/random-4MiB.bin"

say "What arrived"
ls -l "$tmp/out"
(cd "$tmp/out" && sed 's|data/||' "$tmp/SHA256SUMS" | sha256sum -c -) ||
    die "the downloaded files differ from the served ones"

say "Done: every file arrived byte-exact"
