#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Many URLs over one connection (issue 4, CLI.md §1 and §4): 1,000 URLs as concurrent
# streams of one TLS connection to nghttpd and to nginx, proved by -w (%{num_connects},
# %{conn_id}, %{stream_id}) and every body's sha256; ordered stdout behind a slow first
# response; two origins at once; RST_STREAM, REFUSED_STREAM and GOAWAY(NO_ERROR) mid-run
# (peers/h2many.py) with the exit code of the first failure in command-line order and safe
# retries; MAX_CONCURRENT_STREAMS=1; nginx keepalive_requests 1000 serving 10,000 URLs;
# -o/-O mapping, --skip-existing, --no-clobber, --fail-early, -w JSON, --sequential, --repeat.

# shellcheck disable=SC2153 # NGINX_H2 and the other ports come from helpers.bash

load helpers

NMANY=1000 # files in the docroot's many/ directory, and URLs of the big tests

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    make_many_files
    [ -s "${CA:-}" ] || return 0
    start_nghttpd NGHTTPD_TLS tls
    start_nghttpd NGHTTPD_MCS1 tls --max-concurrent-streams=1
    start_nginx
    start_nginx_keepalive
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
}

teardown() {
    e2e_teardown
}

# make_many_files: $E2E_DOCROOT/many/fN for N in 1..$NMANY, each a different size (N % 97
# random bytes after "file N"), and their sha256 sums in $E2E_TMP/many.sha256, sorted by name.
make_many_files() {
    "$E2E_PY" - "$E2E_DOCROOT/many" "$NMANY" "$E2E_TMP/many.sha256" <<'EOF'
import hashlib, os, sys
d, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(d, exist_ok=True)
sums = []
for i in range(1, n + 1):
    data = b"file %d\n" % i + os.urandom(i % 97)
    with open(os.path.join(d, "f%d" % i), "wb") as f:
        f.write(data)
    sums.append("%s  f%d\n" % (hashlib.sha256(data).hexdigest(), i))
with open(out, "w") as f:
    f.writelines(sorted(sums, key=lambda l: l.split()[1]))
EOF
}

# start_nginx_keepalive: a second nginx, TLS + h2 only, with keepalive_requests 1000 (it
# sends GOAWAY(NO_ERROR) after 1,000 requests on a connection) and an access log that names
# the connection of every request; exports NGINX_KA (port) and NGINX_KA_DIR. Its second
# server allows 2 concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS) and has the usual
# locations; its port is NGINX_MCS2.
start_nginx_keepalive() {
    local bin port port2 pid user=""
    bin=$(find_bin nginx) || { missing NGINX_KA "nginx is not installed (make deps)"; return 0; }
    export NGINX_KA_DIR="$BATS_FILE_TMPDIR/nginx-ka"
    mkdir -p "$NGINX_KA_DIR"
    [ "$(id -u)" = 0 ] && user="user root root;"
    for _ in 1 2 3; do
        read -r port port2 <<<"$(free_ports 2)"
        cat >"$NGINX_KA_DIR/nginx.conf" <<EOF
$user
daemon off;
master_process on;
worker_processes 1;
pid $NGINX_KA_DIR/nginx.pid;
error_log $NGINX_KA_DIR/error.log info;
events { worker_connections 64; }
http {
    log_format conn '\$connection \$connection_requests \$status \$request_uri';
    access_log $NGINX_KA_DIR/access.log conn;
    client_body_temp_path $NGINX_KA_DIR/client_body;
    proxy_temp_path $NGINX_KA_DIR/proxy;
    fastcgi_temp_path $NGINX_KA_DIR/fastcgi;
    uwsgi_temp_path $NGINX_KA_DIR/uwsgi;
    scgi_temp_path $NGINX_KA_DIR/scgi;
    default_type application/octet-stream;
    keepalive_requests 1000;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $E2E_CERTS/server.pem;
    ssl_certificate_key $E2E_CERTS/server.key;
    server {
        listen 127.0.0.1:$port ssl http2;
        server_name localhost;
        root $E2E_DOCROOT;
    }
    server {
        listen 127.0.0.1:$port2 ssl http2;
        server_name localhost;
        root $E2E_DOCROOT;
        http2_max_concurrent_streams 2;
        include $E2E_DIR/servers/nginx-locations.conf;
    }
}
EOF
        "$bin" -p "$NGINX_KA_DIR/" -c "$NGINX_KA_DIR/nginx.conf" -e "$NGINX_KA_DIR/error.log" \
            >"$NGINX_KA_DIR/stdout.log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid" && wait_port "$port2" "$pid"; then
            export NGINX_KA=$port NGINX_MCS2=$port2
            return 0
        fi
        stop_pid "$pid"
    done
    missing NGINX_KA "nginx (keepalive_requests 1000) did not start: $(tail -3 \
        "$NGINX_KA_DIR/error.log")"
    return 1
}

# many_urls BASE FIRST LAST: the URLs BASE/many/fN, one per line.
many_urls() {
    local i
    for ((i = $2; i <= $3; i++)); do
        printf '%s/many/f%d\n' "$1" "$i"
    done
}

# many_cat FIRST LAST [TIMES]: the bodies of many/fFIRST..fLAST concatenated, all of it
# TIMES times (default 1), to stdout.
many_cat() {
    "$E2E_PY" -c '
import sys
d, a, b, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
one = b"".join(open("%s/f%d" % (d, i), "rb").read() for i in range(a, b + 1))
sys.stdout.buffer.write(one * k)' "$E2E_DOCROOT/many" "$1" "$2" "${3:-1}"
}

# check_one_connection WFILE N: WFILE holds N lines "num_connects conn_id stream_id code"
# (one per URL, in order): 1 connection in all, one conn_id, N distinct odd stream ids, 200s.
check_one_connection() {
    local w=$1 n=$2 got
    [ "$(wc -l <"$w")" = "$n" ] || fail "expected $n -w lines, got $(wc -l <"$w")" \
        "$(h2get_context)"
    got=$(awk '{ s += $1 } END { print s }' "$w")
    [ "$got" = 1 ] || fail "%{num_connects} sums to $got, expected 1" "$(head "$w")"
    got=$(cut -d' ' -f2 "$w" | sort -u | wc -l)
    [ "$got" = 1 ] || fail "$got distinct %{conn_id}, expected 1" "$(cut -d' ' -f2 "$w" |
        sort | uniq -c)"
    got=$(awk '$3 % 2 == 1 { print $3 }' "$w" | sort -un | wc -l)
    [ "$got" = "$n" ] || fail "$got distinct odd %{stream_id}, expected $n"
    got=$(awk '$4 != 200' "$w" | wc -l)
    [ "$got" = 0 ] || fail "$got URLs without status 200" "$(awk '$4 != 200' "$w" | head)"
}

# fetch_1000 BASE: all of many/ from BASE with --remote-name-all into out/, then check the
# connection (-w) and every file's sha256.
fetch_1000() {
    many_urls "$1" 1 "$NMANY" >urls
    run_h2get --cacert "$CA" --remote-name-all --output-dir out --create-dirs --url @urls \
        -w '%{num_connects} %{conn_id} %{stream_id} %{http_code}\n'
    assert_status 0
    check_one_connection "$STDOUT" "$NMANY"
    (cd out && sha256sum f*) | sort -k2,2 >got.sha256
    sort -k2,2 "$E2E_TMP/many.sha256" | cmp -s - got.sha256 ||
        fail "the saved files differ from the docroot:" \
            "$(sort -k2,2 "$E2E_TMP/many.sha256" | diff - got.sha256 | head)"
    assert_dir_entries out "$NMANY"
}

# wfield FILE N: column N of every line of FILE.
wfield() {
    cut -d' ' -f"$2" "$1"
}

# peer_max_open: the most streams the peer had open on connection 1 when a request came.
peer_max_open() {
    grep -o '^c1 note open=[0-9]*' "$PEER_LOG" | cut -d= -f2 | sort -n | tail -1
}

@test "1,000 URLs, one TLS connection to nghttpd: one conn_id, odd stream ids, every body" {
    proto_only h2
    need_server NGHTTPD_TLS
    fetch_1000 "https://localhost:$NGHTTPD_TLS"
}

@test "1,000 URLs, one TLS connection to nginx: one conn_id, odd stream ids, every body" {
    proto_only h2
    need_server NGINX_H2
    fetch_1000 "https://localhost:$NGINX_H2"
    # nginx's side of it: one TLS connection, 1,000 HTTP/2 requests.
    [ "$(grep -c ' "GET /many/f[0-9]* HTTP/2.0" 200 ' "$NGINX_DIR/access.log")" -ge "$NMANY" ] ||
        fail "nginx logged fewer than $NMANY HTTP/2 GETs of many/"
}

@test "stdout: bodies whole and in command-line order behind a slow first response" {
    local i urls=() want="$BATS_TEST_TMPDIR/want"
    start_peer many --body-reps 300
    urls=("$PEER_URL/slowbody/1000/first")
    for i in $(seq 2 40); do
        urls+=("$PEER_URL/p$i")
    done
    run_h2get "${PEER_ARGS[@]}" "${urls[@]}"
    assert_status 0
    "$E2E_PY" -c 'import sys; sys.stdout.write("".join((p + "\n") * 300 for p in sys.argv[1:]))' \
        /slowbody/1000/first $(seq -f '/p%g' 2 40) >"$want"
    cmp -s "$want" "$STDOUT" || fail "stdout is not the 40 bodies in order" \
        "$(cmp "$want" "$STDOUT")" "$(h2get_context)"
    # The test means something only if the others really finished first on the wire.
    peer_wait_end
    [ "$(peer_line_no '^c1 send DATA stream=79 flags=END_STREAM')" -gt 0 ] &&
        [ "$(peer_line_no '^c1 send DATA stream=79 flags=END_STREAM')" -lt \
            "$(peer_line_no '^c1 send DATA stream=1 flags=END_STREAM')" ] ||
        fail "the peer did not answer stream 79 before stream 1's body" "$(grep -v ' field ' \
            "$PEER_LOG" | grep 'DATA' | head -5)"
}

@test "bodies of known length streaming side by side wake h2get per 256 KiB (SO_RCVLOWAT)" {
    need_server NGINX_H2
    need_cmd strace
    local trace="$BATS_TEST_TMPDIR/strace" first mark
    head -c 16777216 /dev/urandom >"$E2E_DOCROOT/lowat-a"
    head -c 16777216 /dev/urandom >"$E2E_DOCROOT/lowat-b"
    # (LeakSanitizer cannot run under ptrace, in a sanitized run)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=setsockopt,/^rename -o "$trace" "$H2GET" --cacert "$CA" \
        -o a -o b "https://localhost:$NGINX_H2/lowat-a" "https://localhost:$NGINX_H2/lowat-b" ||
        fail "h2get failed under strace"
    cmp -s a "$E2E_DOCROOT/lowat-a" && cmp -s b "$E2E_DOCROOT/lowat-b" || fail "bodies differ"
    # The mark is set while both streams are open: before the first file is complete.
    first=$(grep -En 'rename(at2?)?\(' "$trace" | head -n 1 | cut -d: -f1)
    mark=$(grep -En 'SO_RCVLOWAT, \[[0-9]{5,}\]' "$trace" | head -n 1 | cut -d: -f1)
    [ -n "$first" ] && [ -n "$mark" ] && [ "$mark" -lt "$first" ] ||
        fail "no SO_RCVLOWAT before the first body was complete" "$(cat "$trace")"
}

@test "two origins at once: two connections, one per origin, the right bodies in order" {
    proto_only h2
    need_server NGHTTPD_TLS
    need_server NGINX_H2
    local a="https://localhost:$NGHTTPD_TLS" b="https://localhost:$NGINX_H2" i urls=()
    for i in $(seq 1 50); do
        urls+=("$a/many/f$i" "$b/many/f$((i + 50))")
    done
    run_h2get --cacert "$CA" -w '%{stderr}%{num_connects} %{conn_id} %{remote_port}\n' \
        "${urls[@]}"
    assert_status 0
    for i in $(seq 1 50); do
        cat "$E2E_DOCROOT/many/f$i" "$E2E_DOCROOT/many/f$((i + 50))"
    done >want
    cmp -s want "$STDOUT" || fail "stdout is not the 100 bodies in order" "$(h2get_context)"
    [ "$(awk '{ s += $1 } END { print s }' "$STDERR")" = 2 ] ||
        fail "%{num_connects} does not sum to 2" "$(h2get_context)"
    # One conn_id per origin, and different ones.
    [ "$(awk '{ print $2, $3 }' "$STDERR" | sort -u | wc -l)" = 2 ] &&
        [ "$(cut -d' ' -f2 "$STDERR" | sort -u | wc -l)" = 2 ] ||
        fail "expected 2 (conn_id, port) pairs:" "$(awk '{ print $2, $3 }' "$STDERR" |
            sort | uniq -c)"
}

@test "RST_STREAM on one stream: that URL 92, the others 0 with their bodies, exit 92" {
    start_peer many
    run_h2get "${PEER_ARGS[@]}" -w '%{stderr}%{urlnum} %{exitcode} %{http_code} %{rst_error}\n' \
        "$PEER_URL/a" "$PEER_URL/rst/300/b" "$PEER_URL/c" "$PEER_URL/d"
    assert_status 92
    assert_stdout_is $'/a\n/c\n/d\n'
    grep -Fxq '0 0 200 ' "$STDERR" && grep -Fxq '1 92 200 INTERNAL_ERROR' "$STDERR" &&
        grep -Fxq '2 0 200 ' "$STDERR" && grep -Fxq '3 0 200 ' "$STDERR" ||
        fail "-w lines are wrong" "$(h2get_context)"
    assert_error_line 92 'RST_STREAM\(INTERNAL_ERROR\)' 'stream 3' '/rst/300/b'
    assert_peer_log '^c1 send RST_STREAM stream=3 flags=- code=INTERNAL_ERROR$'
    [ "$(peer_conns)" = 1 ] || fail "a reset stream must not be retried: $(peer_conns) conns"
}

@test "the first failure in command-line order decides the exit code, not the first in time" {
    start_peer many
    # The 404 (exit 22 with -f) happens at once; the reset of the URL before it 300 ms later.
    run_h2get "${PEER_ARGS[@]}" -f "$PEER_URL/a" "$PEER_URL/rst/300/b" \
        "$PEER_URL/status/404/c" "$PEER_URL/d"
    assert_status 92
    assert_stdout_is $'/a\n/d\n'
    assert_error_line 92 'RST_STREAM\(INTERNAL_ERROR\)'
    assert_error_line 22 '404'
    # The other way round: 22.
    run_h2get "${PEER_ARGS[@]}" -f "$PEER_URL/status/404/c" "$PEER_URL/rst/300/b"
    assert_status 22
}

@test "GOAWAY(NO_ERROR) mid-run: unprocessed streams retried on a new connection, exit 0" {
    local i urls=() last
    start_peer many_goaway --goaway-after 5
    for i in $(seq 1 20); do
        urls+=("$PEER_URL/p$i")
    done
    run_h2get "${PEER_ARGS[@]}" \
        -w '%{stderr}%{urlnum} %{exitcode} %{conn_id} %{stream_id} %{retried_after_goaway}\n' \
        "${urls[@]}"
    assert_status 0
    assert_stdout_is "$(printf '/p%d\n' $(seq 1 20))"$'\n'
    peer_wait_end 2
    [ "$(peer_conns)" = 2 ] || fail "the peer saw $(peer_conns) connections, expected 2"
    assert_peer_log '^c1 send GOAWAY stream=0 flags=- last_stream_id=9 code=NO_ERROR'
    grep -v '^h2get' "$STDERR" >w
    [ "$(wc -l <w)" = 20 ] || fail "expected 20 -w lines" "$(h2get_context)"
    [ "$(awk '$2 != 0' w | wc -l)" = 0 ] || fail "some URLs failed" "$(awk '$2 != 0' w)"
    # On the first connection: stream ids up to last_stream_id, never retried; the rest
    # ran on the second connection, each retried once.
    last=$(awk '$3 == 0 { print $4 }' w | sort -n | tail -1)
    [ "$last" = 9 ] || fail "highest stream on connection 0 is $last, not 9" "$(cat w)"
    [ "$(awk '$3 == 0 && $5 != 0' w | wc -l)" = 0 ] ||
        fail "a URL answered on connection 0 says it was retried" "$(cat w)"
    # Every request the peer saw on c1 above last_stream_id was retried (%{urlnum} = N - 1).
    grep -o '^c1 request stream=[0-9]* method=GET path=/p[0-9]*' "$PEER_LOG" |
        awk -F'[= ]' '$4 > 9 { sub("path=/p", "", $0); print $NF - 1 }' | sort >unprocessed
    awk '$3 != 0 && $5 > 0 { print $1 }' w | sort >retried
    [ -s unprocessed ] && comm -23 unprocessed retried | cmp -s - /dev/null ||
        fail "unprocessed on c1: $(tr '\n' ' ' <unprocessed); retried: $(tr '\n' ' ' <retried)"
    # Never a request the server processed: c2's requests are exactly the 15 others, sent
    # in command-line order (as they arrived in the peer's log, not sorted).
    grep -o '^c2 request stream=[0-9]* method=GET path=/p[0-9]*' "$PEER_LOG" |
        sed 's|.*path=/p||' >c2
    [ "$(cat c2)" = "$(seq 6 20)" ] || fail "c2 got requests for: $(tr '\n' ' ' <c2)"
}

@test "GOAWAY mid-run with --no-goaway-retry: the unprocessed URLs fail with 16" {
    local i urls=()
    start_peer many_goaway --goaway-after 3
    for i in $(seq 1 6); do
        urls+=("$PEER_URL/p$i")
    done
    run_h2get "${PEER_ARGS[@]}" --no-goaway-retry "${urls[@]}"
    assert_status 16
    assert_stdout_is $'/p1\n/p2\n/p3\n'
    assert_stderr '^h2get: \(16\) .*/p4: .*GOAWAY\(NO_ERROR, last-stream-id 5.*stream 7 was not'
    [ "$(peer_conns)" = 1 ] || fail "no retry was asked for, but $(peer_conns) connections"
}

@test "REFUSED_STREAM: the refused request is retried and completes, exit 0" {
    start_peer many_refuse
    run_h2get "${PEER_ARGS[@]}" -v -w '%{stderr}%{urlnum} %{exitcode} %{retried_after_goaway}\n' \
        "$PEER_URL/a" "$PEER_URL/b" "$PEER_URL/c"
    assert_status 0
    assert_stdout_is $'/a\n/b\n/c\n'
    assert_peer_log '^c1 send RST_STREAM stream=1 flags=- code=REFUSED_STREAM$'
    assert_stderr '^\* retrying .*/a .*REFUSED_STREAM'
    grep -Eq '^0 0 [1-9]' "$STDERR" || fail "URL 0 does not say it was retried" "$(h2get_context)"
    [ "$(grep -c '^c[0-9]* request .*path=/a ' "$PEER_LOG")" = 2 ] ||
        fail "/a was not requested exactly twice"
    [ "$(grep -c '^c[0-9]* request .*path=/b ' "$PEER_LOG")" = 1 ] ||
        fail "/b was requested more than once"
}

@test "REFUSED_STREAM, then the server closes without GOAWAY: retried on a new connection, exit 0, -v says where" {
    start_peer many_refuse_close
    run_h2get "${PEER_ARGS[@]}" -v "$PEER_URL/a"
    assert_status 0
    assert_stdout_is $'/a\n'
    peer_wait_end 2
    assert_peer_log '^c1 send RST_STREAM stream=1 flags=- code=REFUSED_STREAM$'
    assert_peer_log '^c2 request stream=1 method=GET path=/a '
    [ "$(peer_conns)" = 2 ] || fail "expected 2 connections, got $(peer_conns)"
    assert_stderr "^\* retrying $PEER_URL/a after REFUSED_STREAM \(attempt 2\)$"
    assert_stderr "^\* $PEER_URL/a goes to connection 1, a new one$"
    assert_stderr '^\* 1 request was retried \(GOAWAY, REFUSED_STREAM or HTTP_1_1_REQUIRED\); 1 new connection was opened for retries$'
}

@test "REFUSED_STREAM on every connection: given up after 5 new connections, exit 92 naming it" {
    start_peer many_refuse_all
    run_h2get "${PEER_ARGS[@]}" "$PEER_URL/a"
    assert_status 92
    assert_error_line 92 'server sent RST_STREAM\(REFUSED_STREAM\) on stream 1'
    peer_wait_end 6
    [ "$(peer_conns)" = 6 ] || fail "expected the first and 5 new connections, got $(peer_conns)"
    [ "$(grep -c '^c[0-9]* request .*path=/a ' "$PEER_LOG")" = 6 ] ||
        fail "/a was not requested 6 times" "$(grep request "$PEER_LOG")"
}

@test "REFUSED_STREAM after part of a piped body was sent: exit 65, said; a file is sent again" {
    start_peer many_refuse
    head -c 300000 /dev/urandom >body
    status=0
    cat body | timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "${PEER_ARGS[@]}" -T - "$PEER_URL/up" \
        >out 2>err || status=$?
    [ "$status" = 65 ] || fail "exit $status, expected 65" "$(cat err)"
    grep -qx 'h2get: (65) cannot send the request body again: cannot send the request again after REFUSED_STREAM: the request body came from a pipe and was already sent' err ||
        fail "stderr differs" "$(cat err)"
    run_h2get "${PEER_ARGS[@]}" -T body "$PEER_URL/up"
    assert_status 0
}

@test "MAX_CONCURRENT_STREAMS=1 (scripted peer): all complete, never 2 open once it is known" {
    local i urls=()
    start_peer many_mcs1
    for i in $(seq 1 12); do
        urls+=("$PEER_URL/delay/20/p$i")
    done
    run_h2get "${PEER_ARGS[@]}" "${urls[@]}"
    assert_status 0
    assert_stdout_is "$(printf '/delay/20/p%d\n' $(seq 1 12))"$'\n'
    # Streams opened before our SETTINGS arrived may be refused (RFC 9113 §5.1.2); after the
    # client has acknowledged MAX_CONCURRENT_STREAMS=1, it never has two open.
    refute_peer_log 'violation'
}

@test "MAX_CONCURRENT_STREAMS=1 (nghttpd -m 1): 20 URLs all complete, exit 0" {
    proto_only h2
    need_server NGHTTPD_MCS1
    many_urls "https://localhost:$NGHTTPD_MCS1" 1 20 >urls
    run_h2get --cacert "$CA" --url @urls
    assert_status 0
    many_cat 1 20 >want
    cmp -s want "$STDOUT" || fail "stdout is not the 20 bodies in order" "$(h2get_context)"
}

@test "nginx keepalive_requests 1000: 10,000 URLs complete over about 10 connections" {
    proto_only h2
    need_server NGINX_KA
    local i conns ids
    for i in $(seq 10); do
        many_urls "https://localhost:$NGINX_KA" 1 "$NMANY"
    done >urls
    run_h2get --cacert "$CA" --url @urls -w '%{stderr}%{exitcode} %{conn_id}\n'
    assert_status 0
    many_cat 1 "$NMANY" 10 >want
    cmp -s want "$STDOUT" || fail "stdout is not the 10,000 bodies in order:" \
        "$(cmp want "$STDOUT")" "$(h2get_context)"
    [ "$(grep -c '^0 ' "$STDERR")" = 10000 ] || fail "not 10,000 URLs with exit code 0" \
        "$(grep -v '^0 ' "$STDERR" | sort | uniq -c | head)"
    [ "$(grep -c ' 200 /many/' "$NGINX_KA_DIR/access.log")" = 10000 ] ||
        fail "nginx answered $(grep -c ' 200 /many/' "$NGINX_KA_DIR/access.log") of 10,000"
    conns=$(cut -d' ' -f1 "$NGINX_KA_DIR/access.log" | sort -u | wc -l)
    ids=$(cut -d' ' -f2 "$STDERR" | sort -u | wc -l)
    [ "$conns" -ge 10 ] && [ "$conns" -le 11 ] ||
        fail "nginx saw $conns connections, expected 10 (at most 11)"
    [ "$ids" = "$conns" ] || fail "h2get reports $ids conn_ids, nginx $conns connections"
}

@test "-o and -O map to the URLs in order; the URL without one goes to stdout" {
    proto_only h2
    need_server NGHTTPD_TLS
    local b="https://localhost:$NGHTTPD_TLS/many"
    run_h2get --cacert "$CA" -o a "$b/f1" -O "$b/f2" "$b/f3" -o c "$b/f4" "$b/f5"
    assert_status 0
    assert_file_sha a "$(file_sha "$E2E_DOCROOT/many/f1")"
    assert_file_sha f2 "$(file_sha "$E2E_DOCROOT/many/f2")"
    # curl: output options are used by the URLs in order, wherever they stand.
    assert_file_sha c "$(file_sha "$E2E_DOCROOT/many/f3")"
    many_cat 4 5 >"$BATS_TEST_TMPDIR/want"
    assert_stdout_sha "$(file_sha "$BATS_TEST_TMPDIR/want")"
    assert_dir_entries . 3
}

@test "--remote-name-all --output-dir: every URL into its own file; --skip-existing" {
    proto_only h2
    need_server NGHTTPD_TLS
    local b="https://localhost:$NGHTTPD_TLS/many"
    mkdir d
    printf 'mine\n' >d/f2
    run_h2get --cacert "$CA" --remote-name-all --output-dir d --skip-existing \
        -w '%{urlnum} %{exitcode} %{http_code}\n' "$b/f1" "$b/f2" "$b/f3"
    assert_status 0
    assert_stdout_is $'0 0 200\n1 0 000\n2 0 200\n'
    [ "$(cat d/f2)" = mine ] || fail "--skip-existing overwrote d/f2"
    assert_file_sha d/f1 "$(file_sha "$E2E_DOCROOT/many/f1")"
    assert_file_sha d/f3 "$(file_sha "$E2E_DOCROOT/many/f3")"
    assert_dir_entries d 3
}

@test "--no-clobber: existing names are kept, new bodies go to FILE.1, FILE.2" {
    proto_only h2
    need_server NGHTTPD_TLS
    local b="https://localhost:$NGHTTPD_TLS/many"
    printf 'mine\n' >f7
    run_h2get --cacert "$CA" --no-clobber -O "$b/f7"
    assert_status 0
    run_h2get --cacert "$CA" --no-clobber -O "$b/f7" -O "$b/f8"
    assert_status 0
    [ "$(cat f7)" = mine ] || fail "--no-clobber overwrote f7"
    assert_file_sha f7.1 "$(file_sha "$E2E_DOCROOT/many/f7")"
    assert_file_sha f7.2 "$(file_sha "$E2E_DOCROOT/many/f7")"
    assert_file_sha f8 "$(file_sha "$E2E_DOCROOT/many/f8")"
    assert_dir_entries . 4
}

@test "--url @FILE, @- and --input-file: one URL per line, # comments skipped" {
    proto_only h2
    need_server NGHTTPD_TLS
    local b="https://localhost:$NGHTTPD_TLS/many"
    printf '# a comment\n%s\n\n%s\n' "$b/f1" "$b/f2" >list
    run_h2get --cacert "$CA" --url @list --input-file list "$b/f3"
    assert_status 0
    { many_cat 1 2; many_cat 1 3; } >want
    cmp -s want "$STDOUT" || fail "stdout differs" "$(h2get_context)"
    timeout 10 "$H2GET" --cacert "$CA" --url @- <list >out2 2>err2 || fail "@- failed: $(cat err2)"
    many_cat 1 2 | cmp -s - out2 || fail "--url @- fetched something else"
}

@test "--fail-early: a failure cancels the slow streams (RST_STREAM CANCEL), no files left" {
    start_peer many
    run_h2get "${PEER_ARGS[@]}" --fail-early -o h1 "$PEER_URL/hold/a" -o h2 "$PEER_URL/hold/b" \
        -o r "$PEER_URL/rst/300/c" -o h3 "$PEER_URL/hold/d"
    assert_status 92
    assert_error_line 92 'RST_STREAM\(INTERNAL_ERROR\)' '/rst/300/c'
    peer_wait_end
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=CANCEL$'
    assert_peer_log '^c1 recv RST_STREAM stream=3 flags=- code=CANCEL$'
    assert_peer_log '^c1 recv RST_STREAM stream=7 flags=- code=CANCEL$'
    assert_dir_entries . 0
}

@test "-w '%{json}': one JSON object per URL, fields right; %{header{...}}, %{header_json}" {
    proto_only h2
    need_server NGINX_H2
    local b="https://localhost:$NGINX_H2"
    run_h2get --cacert "$CA" -o /dev/null -o /dev/null -o /dev/null \
        -w '%{json}\n%{header{content-type}}|%{header_json}\n' \
        "$b/many/f1" "$b/index.html" "$b/nope"
    assert_status 0
    "$E2E_PY" - "$STDOUT" "$b" "$(wc -c <"$E2E_DOCROOT/many/f1")" \
        "$(wc -c <"$E2E_DOCROOT/index.html")" "$NGINX_H2" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
base, size1, size2, port = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
assert len(lines) == 6, lines
objs = [json.loads(l) for l in lines[0::2]]
want = [("/many/f1", 200, size1, "application/octet-stream"),
        ("/index.html", 200, size2, "text/html"), ("/nope", 404, None, "text/html")]
ids = set()
for i, (o, (path, code, size, ctype)) in enumerate(zip(objs, want)):
    assert o["url"] == base + path, o
    assert o["url_effective"] == base + path, o
    assert o["urlnum"] == i and o["exitcode"] == 0 and o["errormsg"] == "", o
    assert o["http_code"] == code and o["http_version"] == "2", o
    assert size is None or o["size_download"] == size, o
    assert o["alpn"] == "h2" and o["remote_port"] == port and o["conn_id"] == 0, o
    assert o["stream_id"] % 2 == 1, o
    assert o["rst_error"] == "" and o["goaway_error"] == "", o
    assert o["retried_after_goaway"] == 0, o
    assert 0 <= o["time_namelookup"] <= o["time_connect"] <= o["time_appconnect"] \
        <= o["time_starttransfer"] <= o["time_total"], o
    ids.add(o["stream_id"])
    head, _, hj = lines[2 * i + 1].partition("|")
    assert head == ctype, (head, ctype)
    h = json.loads(hj)
    assert h["content-type"] == [ctype], h
    assert "server" in h, h
assert sum(o["num_connects"] for o in objs) == 1, objs
assert len(ids) == 3, ids
EOF
}

@test "-w %{onerror}: the rest of the format only for failed URLs" {
    start_peer many
    run_h2get "${PEER_ARGS[@]}" -f -w '%{onerror}failed %{urlnum} %{exitcode} %{http_code}\n' \
        "$PEER_URL/a" "$PEER_URL/status/404/b" "$PEER_URL/c"
    assert_status 22
    assert_stdout_is $'/a\nfailed 1 22 404\n/c\n'
}

@test "-w @FILE: a format over 64 KiB is read whole; a value over 256 bytes is written whole" {
    local pad long want
    start_peer many
    pad=$(head -c 70000 /dev/zero | tr '\0' x)
    long=$(head -c 300 /dev/zero | tr '\0' p)
    printf '%s%%{url_effective}|%%{http_code}\\n' "$pad" >fmt
    run_h2get "${PEER_ARGS[@]}" -o /dev/null -w @fmt "$PEER_URL/$long"
    assert_status 0
    want="$pad$PEER_URL/$long|200"$'\n'
    assert_stdout_is "$want"
}

@test "-w @FILE: a NUL byte in the format is exit 2, an unreadable FILE exit 26" {
    printf 'a\0b' >fmt
    run_h2get -w @fmt "http://127.0.0.1:9/"
    assert_status 2
    [ "$(cat "$STDERR")" = "h2get: (2) usage error: the --write-out format in 'fmt' has a NUL byte" ] ||
        fail "stderr" "$(h2get_context)"
    mkdir dir
    run_h2get -w @dir "http://127.0.0.1:9/"
    assert_status 26
    [ "$(cat "$STDERR")" = "h2get: (26) read error: cannot read 'dir': Is a directory" ] ||
        fail "stderr" "$(h2get_context)"
}

@test "--sequential: one stream open at a time, still one connection" {
    local i urls=()
    start_peer many
    for i in $(seq 1 6); do
        urls+=("$PEER_URL/delay/50/p$i")
    done
    run_h2get "${PEER_ARGS[@]}" --sequential "${urls[@]}"
    assert_status 0
    assert_stdout_is "$(printf '/delay/50/p%d\n' $(seq 1 6))"$'\n'
    peer_wait_end
    [ "$(peer_conns)" = 1 ] || fail "$(peer_conns) connections"
    [ "$(grep -c '^c1 note open=' "$PEER_LOG")" = 6 ] || fail "the peer did not see 6 requests"
    [ "$(peer_max_open)" = 1 ] || fail "the peer saw $(peer_max_open) streams open at once"
}

@test "--sequential -L: the redirected first URL is fetched before the next one starts" {
    proto_only h2
    need_server NGINX_H2
    local u="https://localhost:$NGINX_H2" log="$NGINX_DIR/access.log" from
    from=$(wc -l <"$log")
    # /redirect answers 302 to /size-1; the 1 MiB body of the second URL is held for stdout
    # while it is not first in line, so starting it first would wait forever.
    run_h2get --cacert "$CA" --sequential -L "$u/redirect" "$u/size-1048576"
    assert_status 0
    cat "$E2E_DOCROOT/size-1" "$E2E_DOCROOT/size-1048576" >want
    cmp -s want "$STDOUT" || fail "stdout is not size-1 then size-1048576" "$(h2get_context)"
    [ "$(tail -n +$((from + 1)) "$log" | awk '{ print $7 }' | tr '\n' ' ')" = \
        "/redirect /size-1 /size-1048576 " ] ||
        fail "nginx did not see the requests one after the other:" "$(tail -n 3 "$log")"
}

@test "ordered stdout: a first URL redirected onto a connection whose 2 streams are held" {
    proto_only h2
    need_server NGINX_MCS2
    local a="https://localhost:$NGINX_MCS2" b="https://127.0.0.1:$NGINX_MCS2"
    # The server allows 2 streams; both carry later URLs' bodies (1 MiB each, held for
    # stdout) when the first URL's redirect arrives for that origin: they must be let run
    # to their end (held in a file) so that the first URL gets a stream.
    run_h2get --cacert "$CA" -L "$a/redirect-cross" "$b/size-1048576" "$b/size-1048576"
    assert_status 0
    head -1 "$STDOUT" | grep -q '^method=GET ua=h2get/' ||
        fail "stdout does not start with the /echo body" "$(h2get_context)"
    cat "$E2E_DOCROOT/size-1048576" "$E2E_DOCROOT/size-1048576" >want
    tail -c +$(($(head -1 "$STDOUT" | wc -c) + 1)) "$STDOUT" >got
    cmp -s want got || fail "the two 1 MiB bodies do not follow in order" "$(h2get_context)"
}

@test "ordered stdout onto a full device: each URL fails once with 23, none is freed early" {
    start_peer many --body-reps 5000
    # The first body (65 kB) fails to write; the second is held (40 kB, its stream never
    # ends) and fails to write when its turn comes; the third is still in flight then.
    status=0
    timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "${PEER_ARGS[@]}" "$PEER_URL/delay/300/a" \
        "$PEER_URL/hold/b" "$PEER_URL/delay/1500/c" >/dev/full 2>err || status=$?
    [ "$status" = 23 ] || fail "exit $status, expected 23" "$(cat err)"
    diff <(sed -E 's|https?://[^/]*||' err) - <<'EOF' || fail "stderr differs"
h2get: (23) write error: /delay/300/a: cannot write to 'stdout': No space left on device
h2get: (23) write error: /hold/b: cannot write to 'stdout': No space left on device
h2get: (23) write error: /delay/1500/c: cannot write to 'stdout': No space left on device
EOF
}

@test "--rate 20/s: a new stream every 50 ms on one connection, sleeping in between" {
    local i urls=()
    start_peer many
    for i in $(seq 1 6); do
        urls+=("$PEER_URL/p$i")
    done
    run_h2get_timed "${PEER_ARGS[@]}" --rate 20/s "${urls[@]}"
    assert_status 0
    assert_stdout_is "$(printf '/p%d\n' $(seq 1 6))"$'\n'
    [ "$WALL_MS" -ge 240 ] || fail "6 requests at 20/s took only $WALL_MS ms"
    [ "$CPU_MS" -lt $((WALL_MS / 2)) ] || fail "$CPU_MS ms of CPU in $WALL_MS ms: busy waiting"
    # with --parallel-max-host 1 the stream limit, not the rate, holds back the next one
    urls=()
    for i in $(seq 1 4); do
        urls+=("$PEER_URL/delay/150/q$i")
    done
    run_h2get_timed "${PEER_ARGS[@]}" --rate 20/s --parallel-max-host 1 "${urls[@]}"
    assert_status 0
    assert_stdout_is "$(printf '/delay/150/q%d\n' $(seq 1 4))"$'\n'
    [ "$WALL_MS" -ge 590 ] || fail "4 requests of 150 ms one at a time took only $WALL_MS ms"
    [ "$CPU_MS" -lt $((WALL_MS / 2)) ] || fail "$CPU_MS ms of CPU in $WALL_MS ms: busy waiting"
}

@test "ordered stdout: the stall timeout still fires for the first URL in line (28)" {
    start_peer many
    run_h2get "${PEER_ARGS[@]}" --stall-timeout 1 "$PEER_URL/hold/a" "$PEER_URL/b"
    assert_status 28
    assert_error_line 28 '/hold/a: no progress for 1000 ms \(stall timeout\)'
}

@test "ordered stdout: a redirected first URL's new stream gets the full window" {
    proto_only h2
    need_server NGINX_H2
    local u="https://localhost:$NGINX_H2"
    run_h2get --cacert "$CA" --frames=trace -L "$u/redirect-big" "$u/size-1"
    assert_status 0
    cat "$E2E_DOCROOT/size-1048576" "$E2E_DOCROOT/size-1" >want
    cmp -s want "$STDOUT" || fail "stdout is not size-1048576 then size-1" "$(h2get_context)"
    # stream 1 is the 302 (its body discarded), stream 5 the redirected request: widened
    # from 64 KiB to 1 MiB on its first DATA
    grep -A1 '> WINDOW_UPDATE s=5 ' trace | grep -qx '    increment=983040' ||
        fail "no WINDOW_UPDATE widening stream 5" "$(grep -A1 '> WINDOW_UPDATE' trace | head)"
    ! grep -A1 '> WINDOW_UPDATE s=1 ' trace | grep -qx '    increment=983040' ||
        fail "the discarded 302 body's stream was widened"
}

@test "a connection closed by the server while --rate holds the next URL: no URL fails" {
    local i urls=()
    start_peer many --idle 0.3 --max-conns 40
    for i in 1 2; do
        urls+=("$PEER_URL/r$i")
    done
    # the second request waits 3 s for its token; the server closes the first connection
    # after 0.3 s idle. No connection is opened for the second before its token comes (one
    # that was, and was closed, used to count toward "5 connections closed before the
    # request could be sent", exit 56).
    run_h2get "${PEER_ARGS[@]}" --rate 20/m "${urls[@]}"
    assert_status 0
    assert_stdout_is $'/r1\n/r2\n'
    [ "$(peer_conns)" = 2 ] || fail "$(peer_conns) connections, expected 2"
}

@test "--sequential over two origins: the freed slot is taken at once, not after a timer" {
    proto_only h2
    need_server NGINX_H2
    local a="https://localhost:$NGINX_H2" b="https://127.0.0.1:$NGINX_H2"
    run_h2get_timed --cacert "$CA" --sequential "$a/size-1" "$b/size-1" "$a/size-1" \
        "$b/size-1" "$a/size-1" "$b/size-1"
    assert_status 0
    [ "$WALL_MS" -lt 900 ] || fail "6 local requests took $WALL_MS ms: a slot waited"
}

@test "default concurrency: the delayed streams overlap on one connection" {
    local i urls=()
    start_peer many
    for i in $(seq 1 6); do
        urls+=("$PEER_URL/delay/200/p$i")
    done
    run_h2get "${PEER_ARGS[@]}" "${urls[@]}"
    assert_status 0
    peer_wait_end
    [ "$(peer_max_open)" = 6 ] || fail "the peer saw at most $(peer_max_open) open, not 6"
}

@test "--repeat 3: every URL fetched three times, in order" {
    start_peer many
    run_h2get "${PEER_ARGS[@]}" --repeat 3 "$PEER_URL/a" "$PEER_URL/b"
    assert_status 0
    assert_stdout_is $'/a\n/a\n/a\n/b\n/b\n/b\n'
    peer_wait_end
    [ "$(grep -c '^c1 request .*path=/a ' "$PEER_LOG")" = 3 ] &&
        [ "$(grep -c '^c1 request .*path=/b ' "$PEER_LOG")" = 3 ] ||
        fail "the peer did not get 3 requests for each URL on one connection"
}

# most_fds PID DEPTH: the most file descriptors that the process DEPTH generations below PID
# (1: timeout(1)'s h2get; 2: timeout(1) runs time(1), which runs h2get) had open at once,
# sampled from /proc every few ms until it exits.
most_fds() {
    local p=$1 depth=$2 d max=0 k
    for _ in $(seq 200); do
        p=$1
        for d in $(seq "$depth"); do
            p=$(cat "/proc/$p/task/$p/children" 2>/dev/null) && p=${p%% *} && [ -n "$p" ] ||
                { p=; break; }
        done
        [ -n "$p" ] && break
        sleep 0.01
    done
    while kill -0 "$p" 2>/dev/null; do
        k=$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
        [ "$k" -gt "$max" ] && max=$k
        sleep 0.005
    done
    echo "$max"
}

# max_fds N PM: h2get over N origins (names for the peer's address, --resolve), each URL
# answered after 100 ms, with --parallel-max PM; prints the most file descriptors the
# h2get process had open at once.
max_fds() {
    local n=$1 pm=$2 i max args=() urls=()
    for i in $(seq 1 "$n"); do
        args+=(--resolve "o$i.test:$PEER_PORT:127.0.0.1")
        urls+=("http://o$i.test:$PEER_PORT/delay/100/o$i")
    done
    run_h2get_bg --http2-prior-knowledge --parallel-max "$pm" --out-null "${args[@]}" "${urls[@]}"
    max=$(most_fds "$H2GET_PID" 1)
    wait_h2get
    [ "$status" = 0 ] || { fail "h2get over $n origins: exit $status" "$(h2get_context)"; return 1; }
    [ "$max" -gt 3 ] || { fail "no file descriptors seen in h2get's /proc/PID/fd"; return 1; }
    echo "$max"
}

@test "many origins: at most --parallel-max connections open at once, fds flat in the number of origins" {
    local few many base
    PEER_MODE=h2c start_peer many --max-conns 200 # h2c: any name --resolve gives works
    base=$(max_fds 1 3)
    few=$(max_fds 6 3)
    many=$(max_fds 60 3)
    # one socket per connection: 3 open, and one more at times (the first in line never
    # waits for a slot), so at most 3 more than with one origin; never one per origin
    [ "$few" -le $((base + 3)) ] && [ "$many" -le $((base + 3)) ] ||
        fail "most fds open: $base (1 origin), $few (6 origins), $many (60 origins)"
    [ "$(peer_conns)" = 67 ] || fail "the peer saw $(peer_conns) connections, not 67"
}

# origins_peak N PM: h2get over N origins (names that one --connect-to rule sends to the
# peer), one URL each, --parallel-max PM; prints "peak-RSS-KiB most-fds" of the h2get process.
origins_peak() {
    local n=$1 pm=$2 i bg max urls=()
    for i in $(seq 1 "$n"); do
        urls+=("http://o$i.test:$PEER_PORT/o$i")
    done
    timeout -k 5 "$E2E_TIMEOUT" /usr/bin/time -f %M -o rss "$H2GET" --http2-prior-knowledge \
        --parallel-max "$pm" --out-null --connect-to "::127.0.0.1:$PEER_PORT" "${urls[@]}" \
        2>err &
    bg=$!
    max=$(most_fds "$bg" 2)
    wait "$bg" || { fail "h2get over $n origins: exit $?" "$(cat err)"; return 1; }
    [ "$max" -gt 3 ] || { fail "no file descriptors seen in h2get's /proc/PID/fd"; return 1; }
    echo "$(cat rss) $max"
}

@test "2,000 origins: --parallel-max connections at most; peak RSS and fds flat in the origins already done" {
    local small big
    PEER_MODE=h2c start_peer many --max-conns 2300
    read -r -a small <<<"$(origins_peak 200 8)"
    read -r -a big <<<"$(origins_peak 2000 8)"
    echo "# 200 origins: ${small[0]} KiB, ${small[1]} fds; 2,000: ${big[0]} KiB, ${big[1]} fds" >&3
    [ "$(peer_conns)" = 2200 ] || fail "the peer saw $(peer_conns) connections, not 2200"
    # 8 sockets and one more for the first in line, whatever the number of origins
    [ "${big[1]}" -le $((small[1] + 1)) ] || fail "most fds: ${small[1]} (200), ${big[1]} (2,000)"
    # the 1,800 more URLs of the command line take about 0.1 MiB; anything kept per
    # finished origin (a 1 KiB connection) would add more than 1.7 MiB. Under ASan (make
    # asan) RSS counts its quarantine and shadow memory instead, so only the fds hold there.
    if [ -z "${ASAN_OPTIONS:-}" ]; then
        [ "${big[0]}" -le $((small[0] + 1536)) ] ||
            fail "peak RSS: ${small[0]} KiB (200 origins), ${big[0]} KiB (2,000)"
    fi
}
