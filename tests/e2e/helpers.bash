# SPDX-License-Identifier: MIT
# Shared fixtures for h2get's end-to-end tests (bats-core): free loopback ports, certificates
# made per test file with certtool, a docroot of edge-case sizes, nghttpd, nginx and the
# scripted peer (peers/h2peer.py) started on 127.0.0.1 / ::1 only and always stopped, and
# assertions on exit codes, stderr lines, bytes and the peer's frame log.
# E2E_PROTO=h2|h2c|h1 runs the protocol-generic tests of a file over that protocol (git's
# t5559 idea) and skips the tests written for one other protocol; CI=true turns "a server
# is missing" skips into failures (git's test_skip_or_die). H2GET=path tests another binary,
# E2E_TIMEOUT (30 s) bounds each h2get run, E2E_QUICK=1 drops the 100 MiB file.
# shellcheck shell=bash disable=SC2034 # PEER_ARGS, ORIGIN_ARGS, stderr...: used by the tests

E2E_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
E2E_DIR="$E2E_ROOT/tests/e2e"
H2GET=${H2GET:-$E2E_ROOT/h2get}
E2E_PY=${E2E_PYTHON:-/usr/bin/python3}
E2E_PROTO_DEFAULT=h2
E2E_TIMEOUT=${E2E_TIMEOUT:-30}
# No default config file (~/.h2getrc...) of the machine changes what a test runs;
# 56-config.bats sets its own.
export H2GET_CONFIG=/nonexistent/h2get-e2e-no-config

# --- failing, skipping ---------------------------------------------------------------

fail() {
    printf '%s\n' "$@" >&2
    return 1
}

# skip_or_die REASON: a missing peer or tool skips the test locally but fails it in CI.
skip_or_die() {
    if [ "${CI:-}" = true ]; then
        fail "CI=true, so this is a failure, not a skip: $1"
    else
        skip "$1"
    fi
}

# find_bin NAME: print the path of NAME, also looking in the sbin directories that are not
# on an unprivileged user's PATH on Debian (nginx, nghttpd live there).
find_bin() {
    local d
    if command -v "$1" 2>/dev/null; then
        return 0
    fi
    for d in /usr/sbin /sbin /usr/local/sbin; do
        if [ -x "$d/$1" ]; then
            printf '%s\n' "$d/$1"
            return 0
        fi
    done
    return 1
}

need_cmd() {
    local c
    for c in "$@"; do
        find_bin "$c" >/dev/null || skip_or_die "'$c' is not installed (make deps)"
    done
}

need_h2get() {
    [ -x "$H2GET" ] || skip_or_die "h2get is not built at '$H2GET' (make)"
}

need_python_h2() {
    "$E2E_PY" -c 'import hpack, hyperframe' 2>/dev/null ||
        skip_or_die "$E2E_PY lacks python3-hpack/python3-hyperframe (make deps)"
}

# need_server VAR: the server whose port setup_file stored in VAR must be running.
need_server() {
    local why
    if [ -z "${!1:-}" ]; then
        why=$(cat "$BATS_FILE_TMPDIR/$1.missing" 2>/dev/null || echo "server $1 was not started")
        skip_or_die "$why"
    fi
}

# proto_only P: this test is written for protocol P; skip it when E2E_PROTO picks another.
proto_only() {
    if [ -n "${E2E_PROTO:-}" ] && [ "$E2E_PROTO" != "$1" ]; then
        skip "written for $1; E2E_PROTO=$E2E_PROTO"
    fi
}

e2e_proto() {
    printf '%s\n' "${E2E_PROTO:-$E2E_PROTO_DEFAULT}"
}

# --- temp dirs, ports, processes -----------------------------------------------------

# The directory for this scope: the test's own in a test, the file's in setup_file.
e2e_scope_dir() {
    printf '%s\n' "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}"
}

have_ipv6() {
    "$E2E_PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
        2>/dev/null
}

# free_ports N: N distinct ports that are free on 127.0.0.1 and, if it exists, on ::1. A
# server may still lose a port to someone else before it binds: the start_* functions retry.
free_ports() {
    "$E2E_PY" - "$1" <<'EOF'
import socket, sys
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    s4 = socket.socket()
    s4.bind(("127.0.0.1", 0))
    port = s4.getsockname()[1]
    held.append(s4)
    try:
        s6 = socket.socket(socket.AF_INET6)
        s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s6.bind(("::1", port))
        held.append(s6)
    except OSError as e:
        if e.errno == 98:  # EADDRINUSE: taken on ::1, try another
            continue
    ports.append(port)
print(" ".join(map(str, ports)))
EOF
}

free_port() {
    free_ports 1
}

# track PID: stop PID when the current scope (test or file) ends.
track() {
    printf '%s\n' "$1" >>"$(e2e_scope_dir)/e2e.pids"
}

# stop_pid PID: TERM, wait up to 5 s, then KILL (children too, e.g. nginx workers).
stop_pid() {
    local pid=$1 kids
    kill -0 "$pid" 2>/dev/null || return 0
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        if ! kill -0 "$pid" 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" \
            2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            return 0
        fi
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL "$pid" $kids 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_tracked() {
    local f pid
    f="$(e2e_scope_dir)/e2e.pids"
    [ -f "$f" ] || return 0
    while read -r pid; do
        stop_pid "$pid"
    done <"$f"
    rm -f "$f"
}

# wait_port PORT PID: until 127.0.0.1:PORT accepts connections (10 s at most) while PID lives.
wait_port() {
    local port=$1 pid=$2
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# --- the standard hooks --------------------------------------------------------------

e2e_setup_file() {
    export E2E_TMP="$BATS_FILE_TMPDIR"
    if have_ipv6; then export E2E_IPV6=1; else export E2E_IPV6=0; fi
}

e2e_teardown_file() {
    stop_tracked
}

# Tests run in an empty work directory; the helpers keep their files (stdout, stderr, the
# peer's log) one level up, so a test can count what h2get left behind.
e2e_setup() {
    mkdir -p "$BATS_TEST_TMPDIR/work"
    cd "$BATS_TEST_TMPDIR/work" || return 1
}

e2e_teardown() {
    stop_tracked
}

# --- certificates --------------------------------------------------------------------

# cert_make NAME SIGNER TEMPLATE-LINES...: NAME.key + NAME.pem in $E2E_CERTS, signed by
# SIGNER (a NAME made before) or self-signed when SIGNER is "-".
cert_make() {
    local name=$1 signer=$2 d=$E2E_CERTS
    shift 2
    printf '%s\n' "$@" >"$d/$name.tmpl"
    certtool --generate-privkey --key-type ecdsa --outfile "$d/$name.key" >/dev/null 2>&1 ||
        return 1
    if [ "$signer" = - ]; then
        certtool --generate-self-signed --load-privkey "$d/$name.key" \
            --template "$d/$name.tmpl" --outfile "$d/$name.pem" >/dev/null 2>&1
    else
        certtool --generate-certificate --load-privkey "$d/$name.key" \
            --load-ca-certificate "$d/$signer.pem" --load-ca-privkey "$d/$signer.key" \
            --template "$d/$name.tmpl" --outfile "$d/$name.pem" >/dev/null 2>&1
    fi
}

# make_certs: a test CA, and in $E2E_CERTS: server (localhost, 127.0.0.1, ::1, by the CA),
# unknown (same names, by a CA nobody trusts), wronghost (wrong.example, by the CA),
# expired (same names, by the CA, valid for one day in 2020). Exports CA and E2E_CERTS.
make_certs() {
    export E2E_CERTS="$BATS_FILE_TMPDIR/certs"
    export CA="$E2E_CERTS/ca.pem"
    mkdir -p "$E2E_CERTS"
    if ! find_bin certtool >/dev/null; then
        echo "certtool (gnutls-bin) is not installed (make deps)" >"$BATS_FILE_TMPDIR/certs.missing"
        return 0
    fi
    local ca=(organization='"h2get-e2e"' ca cert_signing_key crl_signing_key expiration_days=30)
    local leaf=(organization='"h2get-e2e"' tls_www_server signing_key encryption_key)
    local names=(dns_name='"localhost"' ip_address='"127.0.0.1"' ip_address='"::1"')
    if ! cert_make ca - cn='"h2get-e2e test CA"' serial=1 "${ca[@]}" ||
        ! cert_make other-ca - cn='"h2get-e2e unknown CA"' serial=2 "${ca[@]}" ||
        ! cert_make server ca cn='"localhost"' serial=3 expiration_days=30 "${leaf[@]}" \
            "${names[@]}" ||
        ! cert_make unknown other-ca cn='"localhost"' serial=4 expiration_days=30 "${leaf[@]}" \
            "${names[@]}" ||
        ! cert_make wronghost ca cn='"wrong.example"' serial=5 expiration_days=30 "${leaf[@]}" \
            dns_name='"wrong.example"' ||
        ! cert_make expired ca cn='"localhost"' serial=6 "${leaf[@]}" "${names[@]}" \
            activation_date='"2020-01-01 00:00:00"' expiration_date='"2020-01-02 00:00:00"'; then
        fail "certtool failed; templates in $E2E_CERTS"
    fi
}

need_certs() {
    [ -s "${CA:-}" ] || skip_or_die "$(cat "$BATS_FILE_TMPDIR/certs.missing" 2>/dev/null ||
        echo "no test certificates")"
}

# --- docroot -------------------------------------------------------------------------

# make_docroot [big]: $E2E_DOCROOT with index.html and size-N files of random bytes for
# every N in $E2E_SIZES (0, 1, around one 16 KiB frame, 1 MiB, and with "big" 100 MiB
# unless E2E_QUICK=1), plus upload/ for PUTs. sha256 sums go to $E2E_TMP/docroot.sha256.
make_docroot() {
    local n sizes="0 1 16383 16384 16385 1048576"
    if [ "${1:-}" = big ] && [ "${E2E_QUICK:-0}" != 1 ]; then
        sizes="$sizes 104857600"
    fi
    export E2E_DOCROOT="$BATS_FILE_TMPDIR/docroot" E2E_SIZES="$sizes"
    mkdir -p "$E2E_DOCROOT/upload" "$E2E_DOCROOT/dir"
    printf '<!doctype html>\n<title>h2get e2e</title>\n<p>index</p>\n' >"$E2E_DOCROOT/index.html"
    printf 'in a directory\n' >"$E2E_DOCROOT/dir/file.txt"
    for n in $sizes; do
        head -c "$n" /dev/urandom >"$E2E_DOCROOT/size-$n"
    done
    (cd "$E2E_DOCROOT" && sha256sum index.html dir/file.txt size-*) \
        >"$BATS_FILE_TMPDIR/docroot.sha256"
}

# doc_sha NAME: the sha256 of docroot file NAME.
doc_sha() {
    awk -v n="$1" '$2 == n { print $1 }' "$E2E_TMP/docroot.sha256"
}

file_sha() {
    sha256sum "$1" | cut -d' ' -f1
}

# --- servers -------------------------------------------------------------------------

# missing VAR REASON: record why server VAR is not available (need_server reads it).
missing() {
    printf '%s\n' "$2" >"$BATS_FILE_TMPDIR/$1.missing"
}

# start_nghttpd VAR tls|h2c [nghttpd options...]: nghttpd serving $E2E_DOCROOT on a free
# port (exported in VAR), bound to "localhost" so that it listens wherever the client's
# resolver sends it (127.0.0.1 and, if listed, ::1). TLS uses $E2E_CERTS/server unless
# E2E_NGHTTPD_CERT names another certificate of the factory (unknown, expired, ...).
start_nghttpd() {
    local var=$1 mode=$2 bin port pid cert=${E2E_NGHTTPD_CERT:-server}
    shift 2
    bin=$(find_bin nghttpd) || { missing "$var" "nghttpd is not installed (make deps)"; return 0; }
    for _ in 1 2 3; do
        port=$(free_port)
        if [ "$mode" = tls ]; then
            "$bin" -a localhost -d "$E2E_DOCROOT" "$@" "$port" "$E2E_CERTS/$cert.key" \
                "$E2E_CERTS/$cert.pem" >"$BATS_FILE_TMPDIR/$var.log" 2>&1 3>&- &
        else
            "$bin" -a localhost -d "$E2E_DOCROOT" --no-tls "$@" "$port" \
                >"$BATS_FILE_TMPDIR/$var.log" 2>&1 3>&- &
        fi
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            export "$var=$port"
            return 0
        fi
        stop_pid "$pid"
    done
    missing "$var" "nghttpd did not start: $(tail -3 "$BATS_FILE_TMPDIR/$var.log")"
    return 1
}

# start_nginx: nginx from servers/nginx.conf.in; exports NGINX_H2, NGINX_H1TLS, NGINX_PLAIN,
# NGINX_H2C and NGINX_SNI (ports) and NGINX_DIR (config, logs).
start_nginx() {
    local bin ports pid p ok user=""
    bin=$(find_bin nginx) || { missing NGINX_H2 "nginx is not installed (make deps)"; return 0; }
    export NGINX_DIR="$BATS_FILE_TMPDIR/nginx"
    mkdir -p "$NGINX_DIR"
    # Workers of a root master would run as nobody, who cannot read the private run dir.
    [ "$(id -u)" = 0 ] && user="user root root;"
    for _ in 1 2 3; do
        read -r -a ports <<<"$(free_ports 5)"
        sed -e "s|@TMP@|$NGINX_DIR|g; s|@DOCROOT@|$E2E_DOCROOT|g; s|@USER@|$user|" \
            -e "s|@CERT@|$E2E_CERTS/server.pem|; s|@KEY@|$E2E_CERTS/server.key|" \
            -e "s|@WRONG_CERT@|$E2E_CERTS/wronghost.pem|; s|@WRONG_KEY@|$E2E_CERTS/wronghost.key|" \
            -e "s|@SERVERS@|$E2E_DIR/servers|g" \
            -e "s|@PORT_H2@|${ports[0]}|g; s|@PORT_H1TLS@|${ports[1]}|g" \
            -e "s|@PORT_PLAIN@|${ports[2]}|g; s|@PORT_H2C@|${ports[3]}|g" \
            -e "s|@PORT_SNI@|${ports[4]}|g" \
            "$E2E_DIR/servers/nginx.conf.in" >"$NGINX_DIR/nginx.conf"
        if [ "${E2E_IPV6:-0}" = 1 ]; then
            sed -i 's|^#v6 ||' "$NGINX_DIR/nginx.conf"
        else
            sed -i '/^#v6 /d' "$NGINX_DIR/nginx.conf"
        fi
        "$bin" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" \
            >"$NGINX_DIR/stdout.log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        ok=1
        for p in "${ports[@]}"; do
            wait_port "$p" "$pid" || { ok=0; break; }
        done
        if [ "$ok" = 1 ]; then
            export NGINX_H2=${ports[0]} NGINX_H1TLS=${ports[1]} NGINX_PLAIN=${ports[2]}
            export NGINX_H2C=${ports[3]} NGINX_SNI=${ports[4]}
            return 0
        fi
        stop_pid "$pid"
    done
    missing NGINX_H2 "nginx did not start: $(tail -3 "$NGINX_DIR/error.log")"
    return 1
}

# --- the scripted peer ---------------------------------------------------------------

# peer_mode: how tests talk to the peer: tls (default, also for E2E_PROTO=h2) or h2c;
# PEER_MODE=tls|h2c overrides it for one start_peer.
peer_mode() {
    case "${PEER_MODE:-$(e2e_proto)}" in
    h2c) echo h2c ;;
    h1) echo h1 ;;
    *) echo tls ;;
    esac
}

# start_peer SCENARIO [h2peer options...]: the peer in this test's scope; sets PEER_PORT,
# PEER_LOG, PEER_URL (base URL), and the array PEER_ARGS (h2get options to reach it).
start_peer() {
    local scenario=$1 mode pid
    shift
    need_python_h2
    mode=$(peer_mode)
    [ "$mode" = h1 ] && skip "the scripted peer speaks HTTP/2; E2E_PROTO=h1"
    PEER_LOG="$BATS_TEST_TMPDIR/peer.log"
    local portfile="$BATS_TEST_TMPDIR/peer.port" opts=()
    rm -f "$portfile"
    if [ "$mode" = tls ]; then
        need_certs
        opts=(--tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key")
        PEER_ARGS=(--cacert "$CA")
    else
        PEER_ARGS=(--http2-prior-knowledge)
    fi
    # It outlives h2get's own time limit, so a hanging client shows as h2get's failure.
    "$E2E_PY" -B "$E2E_DIR/peers/h2peer.py" "$scenario" "${opts[@]}" --port-file "$portfile" \
        --log "$PEER_LOG" --lifetime $((E2E_TIMEOUT + 15)) "$@" \
        >"$BATS_TEST_TMPDIR/peer.out" 2>&1 3>&- &
    pid=$!
    track "$pid"
    for _ in $(seq 100); do
        [ -s "$portfile" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$portfile" ] || fail "h2peer did not start:" "$(cat "$BATS_TEST_TMPDIR/peer.out")"
    PEER_PORT=$(cat "$portfile")
    if [ "$mode" = tls ]; then
        PEER_URL="https://localhost:$PEER_PORT"
    else
        PEER_URL="http://localhost:$PEER_PORT"
    fi
}

# start_json_peer NAME PEER JSON: peers/PEER acting out the script JSON (its arguments: the
# script file, a port file, a log file, a lifetime), all under $BATS_TEST_TMPDIR/NAME.*;
# sets JSON_PEER_PORT once it listens, fails with its output if it does not.
start_json_peer() {
    local name=$1 peer=$2 pf="$BATS_TEST_TMPDIR/$1.port" pid
    printf '%s\n' "$3" >"$BATS_TEST_TMPDIR/$name.json"
    rm -f "$pf"
    "$E2E_PY" -B "$E2E_DIR/peers/$peer" "$BATS_TEST_TMPDIR/$name.json" "$pf" \
        "$BATS_TEST_TMPDIR/$name.log" $((E2E_TIMEOUT + 15)) >"$BATS_TEST_TMPDIR/$name.out" \
        2>&1 3>&- &
    pid=$!
    track "$pid"
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    [ -s "$pf" ] || fail "$peer did not start:" "$(cat "$BATS_TEST_TMPDIR/$name.out")"
    JSON_PEER_PORT=$(cat "$pf")
}

# peer_wait_end [N]: until connection N (default 1) of the peer has ended, so that its log
# holds everything the client sent (5 s at most).
peer_wait_end() {
    local n=${1:-1}
    for _ in $(seq 50); do
        grep -q "^c$n end " "$PEER_LOG" 2>/dev/null && return 0
        sleep 0.1
    done
    return 0
}

# peer_conns: how many connections the peer accepted.
peer_conns() {
    grep -c '^c[0-9]* open ' "$PEER_LOG" || true
}

assert_peer_log() {
    grep -Eq -- "$1" "$PEER_LOG" ||
        fail "peer log has no line matching: $1" "--- peer log:" "$(grep -v ' field ' "$PEER_LOG")"
}

refute_peer_log() {
    ! grep -Eq -- "$1" "$PEER_LOG" ||
        fail "peer log has a line matching: $1" "--- peer log:" "$(grep -E -- "$1" "$PEER_LOG")"
}

# peer_line_no REGEX: line number of the first matching peer log line (0 if none).
peer_line_no() {
    local n
    n=$(grep -En -- "$1" "$PEER_LOG" | head -1 | cut -d: -f1)
    echo "${n:-0}"
}

# --- running h2get -------------------------------------------------------------------

# run_h2get ARGS...: run h2get (with a hard time limit), stdout into $STDOUT (a file, so
# bodies stay byte-exact), stderr into $STDERR and the variable $stderr; sets $status.
run_h2get() {
    STDOUT="$BATS_TEST_TMPDIR/stdout"
    STDERR="$BATS_TEST_TMPDIR/stderr"
    printf 'h2get' >"$BATS_TEST_TMPDIR/cmd"
    printf ' %q' "$@" >>"$BATS_TEST_TMPDIR/cmd"
    status=0
    timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "$@" >"$STDOUT" 2>"$STDERR" 3>&- || status=$?
    stderr=$(cat "$STDERR")
}

# run_h2get_bg ARGS...: the same in the background; H2GET_PID; finish with wait_h2get.
run_h2get_bg() {
    STDOUT="$BATS_TEST_TMPDIR/stdout"
    STDERR="$BATS_TEST_TMPDIR/stderr"
    printf 'h2get' >"$BATS_TEST_TMPDIR/cmd"
    printf ' %q' "$@" >>"$BATS_TEST_TMPDIR/cmd"
    timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "$@" >"$STDOUT" 2>"$STDERR" 3>&- &
    H2GET_PID=$!
    track "$H2GET_PID"
}

wait_h2get() {
    status=0
    wait "$H2GET_PID" || status=$?
    stderr=$(cat "$STDERR")
}

h2get_context() {
    printf '%s\n' "--- command: $(cat "$BATS_TEST_TMPDIR/cmd" 2>/dev/null)" \
        "--- exit status: ${status:-?}" "--- stderr (first 40 lines):"
    head -40 "$STDERR" 2>/dev/null
}

# origin_url PATH / origin_args: the nginx server and h2get options for $(e2e_proto), for
# the tests that run the same over h2 (TLS, ALPN), h2c (prior knowledge) and HTTP/1.1.
origin_url() {
    case "$(e2e_proto)" in
    h2) echo "https://localhost:$NGINX_H2/$1" ;;
    h2c) echo "http://localhost:$NGINX_H2C/$1" ;;
    h1) echo "https://localhost:$NGINX_H1TLS/$1" ;;
    *) fail "E2E_PROTO must be h2, h2c or h1" ;;
    esac
}

# Sets the array ORIGIN_ARGS.
origin_args() {
    need_server NGINX_H2
    case "$(e2e_proto)" in
    h2) ORIGIN_ARGS=(--cacert "$CA") ;;
    h2c) ORIGIN_ARGS=(--http2-prior-knowledge) ;;
    h1) ORIGIN_ARGS=(--cacert "$CA" --http1.1) ;;
    esac
}

# status_line_re CODE: the status line h2get prints for $(e2e_proto) (curl's format), as
# an ERE for a line whose CR, if any, is stripped.
status_line_re() {
    case "$(e2e_proto)" in
    h1) echo "^HTTP/1\\.1 $1( .*)?$" ;;
    *) echo "^HTTP/2 $1 ?$" ;;
    esac
}

# run_h2get_time ARGS...: as run_h2get, under GNU time (peak RSS in KiB to ./rss), with the
# caller's stdin and stdout.
run_h2get_time() {
    STDERR="$BATS_TEST_TMPDIR/stderr"
    printf 'h2get' >"$BATS_TEST_TMPDIR/cmd"
    printf ' %q' "$@" >>"$BATS_TEST_TMPDIR/cmd"
    status=0
    timeout -k 5 "$E2E_TIMEOUT" /usr/bin/time -f %M -o rss "$H2GET" "$@" 2>"$STDERR" 3>&- ||
        status=$?
    stderr=$(cat "$STDERR")
}

# --- assertions ----------------------------------------------------------------------

# assert_rss_growth FILE LIMIT_KIB WHAT: the peak RSS (KiB) in FILE (GNU time's %M, as
# run_h2get_time writes ./rss), less that of `h2get --version` by the same binary, is below
# LIMIT_KIB: memory bounded by windows and buffers, not by the WHAT that went through. Taken
# over the binary's own idle size, the bound means the same in every build. Under the
# sanitizers (E2E_SAN=1: make asan) it grows by 16 MiB: ASan keeps 8 MiB of freed blocks in
# quarantine (Makefile) and pads each block.
assert_rss_growth() {
    local peak idle limit=$2
    peak=$(tail -1 "$1")
    idle=$(/usr/bin/time -f %M "$H2GET" --version 2>&1 >/dev/null | tail -1)
    [ -z "${E2E_SAN:-}" ] || limit=$((limit + 16384))
    echo "# peak RSS $peak KiB: $((peak - idle)) KiB over h2get --version, for $3" >&3
    [ $((peak - idle)) -lt "$limit" ] ||
        fail "peak RSS $peak KiB: $((peak - idle)) KiB over h2get --version's $idle KiB," \
            "for $3 (limit $limit KiB)"
}

assert_status() {
    [ "$status" = "$1" ] || fail "expected exit status $1, got $status" "$(h2get_context)"
}

# assert_stderr REGEX: some stderr line matches (grep -E, case-insensitive).
assert_stderr() {
    grep -Eqi -- "$1" "$STDERR" || fail "no stderr line matches: $1" "$(h2get_context)"
}

refute_stderr() {
    ! grep -Eqi -- "$1" "$STDERR" || fail "a stderr line matches: $1" "$(h2get_context)"
}

# assert_stderr_is TEXT: stderr is exactly TEXT (one line, as $stderr holds it).
assert_stderr_is() {
    [ "$stderr" = "$1" ] || fail "unexpected stderr" "want: $1" "$(h2get_context)"
}

# assert_error_line CODE [REGEX...]: the one-line message "h2get: (CODE) ..." is on stderr
# and matches every REGEX (case-insensitive); it is printed once.
assert_error_line() {
    local code=$1 line re n
    shift
    n=$(grep -c "^h2get: ($code) " "$STDERR" || true)
    [ "$n" = 1 ] || fail "expected one 'h2get: ($code) ...' line, found $n" "$(h2get_context)"
    line=$(grep "^h2get: ($code) " "$STDERR")
    for re in "$@"; do
        grep -Eqi -- "$re" <<<"$line" || fail "error line does not match: $re" "line: $line"
    done
}

# assert_no_control_bytes: stderr carries no raw bytes outside printable ASCII, tab and LF
# (server-controlled text is escaped as \xNN).
assert_no_control_bytes() {
    ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$STDERR" ||
        fail "stderr contains raw control bytes" "$(od -c "$STDERR" | head -20)"
}

assert_file_sha() {
    local got
    [ -f "$1" ] || fail "missing file: $1" "$(h2get_context)"
    got=$(file_sha "$1")
    [ "$got" = "$2" ] || fail "sha256 of $1 is $got, expected $2 ($(wc -c <"$1") bytes)" \
        "$(h2get_context)"
}

assert_stdout_sha() {
    assert_file_sha "$STDOUT" "$1"
}

# assert_stdout_is TEXT: stdout is exactly TEXT (printf %s, so give the trailing newline).
assert_stdout_is() {
    local want="$BATS_TEST_TMPDIR/want"
    printf '%s' "$1" >"$want"
    cmp -s "$want" "$STDOUT" || fail "stdout differs from the expected text" \
        "--- expected: $(od -c "$want" | head -5)" "--- got: $(od -c "$STDOUT" | head -5)" \
        "$(h2get_context)"
}

assert_no_file() {
    [ ! -e "$1" ] || fail "file exists but must not: $1" "$(h2get_context)"
}

# assert_dir_entries DIR N: DIR holds exactly N entries (so no temporary files are left).
assert_dir_entries() {
    local n
    n=$(find "$1" -mindepth 1 -maxdepth 1 | wc -l)
    [ "$n" = "$2" ] || fail "$1 holds $n entries, expected $2:" "$(ls -la "$1")" "$(h2get_context)"
}

# assert_status_line FILE CODE: the first line of FILE is the status line for CODE.
assert_status_line() {
    head -1 "$1" | tr -d '\r' | grep -Eq "$(status_line_re "$2")" ||
        fail "first line of $1 is not the status line for $2:" "$(head -3 "$1" | od -c | head -4)"
}

# assert_field FILE NAME VALUE: header output FILE has the field "NAME: VALUE" (case of the
# name ignored, CR ignored).
assert_field() {
    tr -d '\r' <"$1" | grep -Fxqi "$2: $3" || fail "no '$2: $3' field in $1:" "$(cat "$1")"
}

# split_head FILE HEAD BODY: cut h2get -i output at the first empty line: the header part
# (status line and fields) to HEAD, the rest, byte-exact, to BODY.
split_head() {
    "$E2E_PY" - "$@" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
cuts = [(data.find(sep), len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if data.find(sep) >= 0]
if not cuts:
    sys.exit("no empty line after the headers")
at, n = min(cuts)
open(sys.argv[2], "wb").write(data[:at + n // 2])
open(sys.argv[3], "wb").write(data[at + n:])
EOF
}

# run_h2get_timed ARGS...: run_h2get, and set WALL_MS and CPU_MS (user + system) to what
# the run took, for tests that h2get waits (for --rate) without spinning.
run_h2get_timed() {
    local TIMEFORMAT='%R %U %S' t="$BATS_TEST_TMPDIR/time"
    { time run_h2get "$@"; } 2>"$t"
    WALL_MS=$(awk '{ printf "%d", $1 * 1000 }' "$t")
    CPU_MS=$(awk '{ printf "%d", ($2 + $3) * 1000 }' "$t")
}
