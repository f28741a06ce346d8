#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: h2get against its peers, measured in the same run on this machine. Runs
# bench/hpack.sh (HPACK codec against libnghttp2), then makes a per-run CA (certtool), a
# docroot (1 GiB sparse file, 10,000 x 1 KiB, 100 x 1 MiB, a small page), starts nginx and
# nghttpd on free loopback ports and runs bench/e2e.py (issue 3: 1 GiB download and a small
# verified fetch against curl; issue 4: many URLs over one connection against curl, nghttp
# and h2load; issue 5: the cost of --frames; issue 12: a big upload). The sections of
# bench/e2e_servers.py start their own servers on loopback from configs written at run time
# and stop them: proxy (issue 13: 1,000 x 1 KiB through nghttpx --http2-proxy in front of
# Squid against curl -x --parallel, with the proxy connections counted in nghttpx's log;
# BENCH_BIG_MIB through a CONNECT tunnel of Squid, of Apache httpd's mod_proxy_connect and
# of bench/connrelay.c (splice(2), the cheapest proxy), h2get and curl -x, against the direct
# download, with each process's CPU), compressed
# (issue 14: BENCH_BIG_MIB of text, gzip -1, served by nginx's gzip_static, --compressed
# against curl's), duplex (issue 11: a streaming echo by bench/h2echo.c, libnghttp2 +
# GnuTLS, against h2get's one-way download from the same server; nghttpd --echo-upload's
# store-and-forward echo for reference), websocket (issue 11: 100,000 messages echoed
# through Apache httpd, RFC 8441 over h2 against the HTTP/1.1 Upgrade). A section whose
# server is missing says why and is skipped. Servers are stopped and the temporary
# directories removed on exit, whatever happens. Prints figures and ratios against the
# targets; never fails on timing: exit 0 unless a tool is missing or a run is broken.
# Environment: H2GET (./h2get), H2ECHO (the duplex peer, $BUILD/bench/h2echo; `make bench`
# builds it, else it is built here when libnghttp2-dev is there), CONNRELAY (the tunnel
# peer, $BUILD/bench/connrelay; built here when make did not), BENCH_RUNS (5), BENCH_ONLY (comma list of sections:
# hpack,download,small,many,rss,upload,proxy,compressed,duplex,websocket), BENCH_BIG_MIB
# (1024), TMPDIR. POSIX sh.
set -u
cd "$(dirname "$0")/.." || exit 1

H2GET=${H2GET:-./h2get}
H2ECHO=${H2ECHO:-${BUILD:-build}/bench/h2echo}
CONNRELAY=${CONNRELAY:-${BUILD:-build}/bench/connrelay}
PY=/usr/bin/python3
BENCH_ONLY=${BENCH_ONLY:-hpack,download,small,many,rss,upload,proxy,compressed,duplex,websocket}
BENCH_BIG_MIB=${BENCH_BIG_MIB:-1024}
tmp=""
files=""
pids=""

die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

want() {
    case ",$BENCH_ONLY," in *",$1,"*) return 0 ;; esac
    return 1
}

# find_bin NAME: NAME on PATH or in the sbin directories (nginx, nghttpd live there).
find_bin() {
    command -v "$1" 2>/dev/null && return 0
    for d in /usr/sbin /sbin /usr/local/sbin; do
        [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}

# stop PID: TERM, up to 5 s, then KILL; only processes this script started.
stop() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.25
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# shellcheck disable=SC2317 # invoked by the traps
cleanup() {
    set +e
    for p in $pids; do
        stop "$p"
    done
    [ -n "$tmp" ] && rm -rf "$tmp"
    [ -n "$files" ] && rm -rf "$files"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_port PORT PID: until 127.0.0.1:PORT accepts connections (10 s at most) while PID lives.
wait_port() {
    "$PY" - "$1" "$2" <<'EOF'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(100):
    try:
        os.kill(pid, 0)
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except ProcessLookupError:
        sys.exit(1)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# cert NAME SIGNER TEMPLATE: NAME.key and NAME.pem in $tmp/certs, self-signed if SIGNER is -.
cert() {
    d=$tmp/certs
    printf '%s\n' "$3" >"$d/$1.tmpl"
    certtool --generate-privkey --key-type ecdsa --outfile "$d/$1.key" >/dev/null 2>&1 ||
        return 1
    if [ "$2" = - ]; then
        certtool --generate-self-signed --load-privkey "$d/$1.key" --template "$d/$1.tmpl" \
            --outfile "$d/$1.pem" >/dev/null 2>&1
    else
        certtool --generate-certificate --load-privkey "$d/$1.key" \
            --load-ca-certificate "$d/$2.pem" --load-ca-privkey "$d/$2.key" \
            --template "$d/$1.tmpl" --outfile "$d/$1.pem" >/dev/null 2>&1
    fi
}

make_certs() {
    mkdir -p "$tmp/certs" || return 1
    cert ca - 'cn = "h2get bench CA"
serial = 1
expiration_days = 2
ca
cert_signing_key' || return 1
    cert server ca 'cn = "localhost"
serial = 2
expiration_days = 2
dns_name = "localhost"
ip_address = "127.0.0.1"
tls_www_server
signing_key
encryption_key' || return 1
    # The system trust store plus the test CA, for the verified small fetch (issue 3).
    cat /etc/ssl/certs/ca-certificates.crt "$tmp/certs/ca.pem" >"$tmp/certs/bundle.pem"
    # The same store as a hashed directory (issue 12: anchors read by issuer name).
    mkdir -p "$tmp/certs/hashed" || return 1
    for f in /etc/ssl/certs/*.[0-9]; do
        [ -e "$f" ] && ln -s "$(readlink -f "$f")" "$tmp/certs/hashed/${f##*/}"
    done
    h=$(openssl x509 -hash -noout -in "$tmp/certs/ca.pem") || return 1
    n=0
    while [ -e "$tmp/certs/hashed/$h.$n" ]; do n=$((n + 1)); done
    ln -s "$tmp/certs/ca.pem" "$tmp/certs/hashed/$h.$n"
}

# The docroot: big (sparse, reads as zeros), k/NNNNN (1 KiB each), m/NNN (1 MiB each),
# small.html, and the URL paths of each set in $tmp/paths-*.txt.
make_docroot() {
    mkdir -p "$tmp/www" || return 1
    truncate -s "${BENCH_BIG_MIB}M" "$tmp/www/big" || return 1
    "$PY" - "$tmp" <<'EOF'
import os, sys
tmp = sys.argv[1]
www = os.path.join(tmp, "www")
sets = (("k", 10000, 1024, "%05d"), ("m", 100, 1 << 20, "%03d"))
for name, count, size, fmt in sets:
    os.mkdir(os.path.join(www, name))
    with open(os.path.join(tmp, "paths-%s.txt" % name), "w") as paths:
        for i in range(count):
            rel = "%s/%s" % (name, fmt % i)
            with open(os.path.join(www, rel), "wb") as f:
                f.write(os.urandom(size))
            paths.write("/%s\n" % rel)
with open(os.path.join(www, "small.html"), "w") as f:
    f.write("<!doctype html>\n<title>h2get bench</title>\n<p>small page</p>\n")
EOF
}

start_nginx() {
    bin=$1
    user=""
    # Workers of a root master would run as nobody, who cannot read the private run dir.
    [ "$(id -u)" = 0 ] && user="user root root;"
    mkdir -p "$tmp/nginx"
    for _ in 1 2 3; do
        port=$(free_port)
        sed -e "s|@TMP@|$tmp/nginx|g; s|@DOCROOT@|$tmp/www|; s|@USER@|$user|" \
            -e "s|@CERT@|$tmp/certs/server.pem|; s|@KEY@|$tmp/certs/server.key|" \
            -e "s|@PORT@|$port|" bench/nginx.conf.in >"$tmp/nginx/nginx.conf"
        "$bin" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/nginx-error.log" \
            >"$tmp/nginx/stdout.log" 2>&1 &
        pid=$!
        if wait_port "$port" "$pid"; then
            pids="$pids $pid"
            NGINX_PORT=$port
            return 0
        fi
        stop "$pid"
    done
    cat "$tmp/nginx/nginx-error.log" "$tmp/nginx/stdout.log" >&2
    return 1
}

start_nghttpd() {
    bin=$1
    for _ in 1 2 3; do
        port=$(free_port)
        "$bin" -a 127.0.0.1 -d "$tmp/www" "$port" "$tmp/certs/server.key" \
            "$tmp/certs/server.pem" >"$tmp/nghttpd.log" 2>&1 &
        pid=$!
        if wait_port "$port" "$pid"; then
            pids="$pids $pid"
            NGHTTPD_PORT=$port
            return 0
        fi
        stop "$pid"
    done
    cat "$tmp/nghttpd.log" >&2
    return 1
}

echo "h2get bench: $(uname -srm), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"

if want hpack; then
    echo
    echo "== 1. HPACK codec: h2get against libnghttp2 (bench/hpack.sh)"
    sh bench/hpack.sh || die "bench/hpack.sh failed"
fi

e2e=0
for s in download small many rss upload proxy compressed duplex websocket; do
    want "$s" && e2e=1
done
[ "$e2e" = 1 ] || exit 0

[ -c /dev/null ] || die "/dev/null is not a character device (mknod -m 666 /dev/null c 1 3)"
[ -x "$PY" ] || die "$PY is missing (make deps: python3)"
[ -x "$H2GET" ] || die "no $H2GET: build it first (make)"
NGINX=$(find_bin nginx) || die "nginx is missing (make deps: nginx-light)"
NGHTTPD=$(find_bin nghttpd) || die "nghttpd is missing (make deps: nghttp2-server)"
for t in curl nghttp h2load certtool truncate "${CC:-cc}"; do
    find_bin "$t" >/dev/null || die "$t is missing (make deps)"
done
[ -r /etc/ssl/certs/ca-certificates.crt ] ||
    die "/etc/ssl/certs/ca-certificates.crt is missing (ca-certificates)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/h2get-bench.XXXXXX") || die "cannot make a temp dir"
${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/bench_rusage" bench/rusage.c ||
    die "cannot build bench/rusage.c"
# Files saved by the -O runs go to tmpfs when there is one, so the disk is not measured.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    files=$(mktemp -d /dev/shm/h2get-bench.XXXXXX) || die "cannot make a dir in /dev/shm"
else
    files=$tmp/files
    mkdir "$files" || die "cannot make $files"
fi
# A copy, so that a rebuild of $H2GET during the run cannot change what is measured.
cp "$H2GET" "$tmp/h2get" || die "cannot copy $H2GET"
echo "h2get: $H2GET ($("$tmp/h2get" -V 2>&1 | head -1)), built $(date -u -r "$H2GET" \
    '+%Y-%m-%d %H:%M:%S UTC'), copied to \$TMP/h2get for this run"
# The duplex peer (bench/h2echo.c), copied like h2get; built here when make did not.
if want duplex; then
    if [ -x "$H2ECHO" ]; then
        cp "$H2ECHO" "$tmp/h2echo" || die "cannot copy $H2ECHO"
    elif pkg-config --exists libnghttp2 gnutls; then
        # shellcheck disable=SC2046
        ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/h2echo" bench/h2echo.c \
            $(pkg-config --cflags --libs libnghttp2 gnutls) || die "cannot build bench/h2echo.c"
    fi
fi
# The tunnel peer (bench/connrelay.c), copied like h2get; built here when make did not.
if want proxy; then
    if [ -x "$CONNRELAY" ]; then
        cp "$CONNRELAY" "$tmp/connrelay" || die "cannot copy $CONNRELAY"
    else
        ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o "$tmp/connrelay" \
            bench/connrelay.c || die "cannot build bench/connrelay.c"
    fi
fi
make_certs || die "certtool failed (templates in $tmp/certs)"
make_docroot || die "cannot make the docroot in $tmp/www"
start_nginx "$NGINX" || die "nginx did not start"
start_nghttpd "$NGHTTPD" || die "nghttpd did not start"
echo "servers: nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on 127.0.0.1:$NGINX_PORT," \
    "nghttpd $("$NGHTTPD" --version 2>&1 | sed 's|.*/||') on 127.0.0.1:$NGHTTPD_PORT"

"$PY" -B bench/e2e.py --rusage "$tmp/bench_rusage" --h2get "$tmp/h2get" --tmp "$tmp" \
    --files "$files" --ca "$tmp/certs/ca.pem" --bundle "$tmp/certs/bundle.pem" \
    --hashed "$tmp/certs/hashed" --h2echo "$tmp/h2echo" --connrelay "$tmp/connrelay" \
    --nginx "$NGINX_PORT" --nghttpd "$NGHTTPD_PORT" --runs "${BENCH_RUNS:-5}" \
    --big-mib "$BENCH_BIG_MIB" --only "$BENCH_ONLY" ||
    die "a tool failed or gave wrong output (see the BROKEN lines above)"
exit 0
