#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Many URLs to an HTTP/1.1 origin (issue 4): keep-alive reuse of one connection in turn by
# default, or up to --parallel-max-host connections; bodies still in command-line order.

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    start_nginx
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_server NGINX_PLAIN
}

teardown() {
    e2e_teardown
}

urls() {
    local i
    for i in $(seq 1 "$1"); do
        echo "http://localhost:$NGINX_PLAIN/size-$((i % 2 ? 16384 : 1))"
    done
}

@test "HTTP/1.1: 20 URLs reuse one keep-alive connection in turn" {
    urls 20 >list
    run_h2get --url @list -w '%{stderr}%{conn_id} %{http_version} %{num_connects}\n'
    assert_status 0
    [ "$(cut -d' ' -f1 "$STDERR" | sort -u | wc -l)" = 1 ] || fail "more than one connection" \
        "$(cat "$STDERR")"
    [ "$(cut -d' ' -f2 "$STDERR" | sort -u)" = 1.1 ] || fail "not HTTP/1.1" "$(cat "$STDERR")"
    [ "$(awk '{ s += $3 } END { print s }' "$STDERR")" = 1 ] || fail "num_connects" \
        "$(cat "$STDERR")"
}

@test "HTTP/1.1: --parallel-max-host 4 spreads 20 URLs over 4 connections, in order on stdout" {
    urls 20 >list
    run_h2get --parallel-max-host 4 --url @list
    assert_status 0
    local want i
    want=$(for i in $(seq 1 20); do cat "$E2E_DOCROOT/size-$((i % 2 ? 16384 : 1))"; done |
        sha256sum | cut -d' ' -f1)
    assert_file_sha "$STDOUT" "$want"
    run_h2get --parallel-max-host 4 --url @list -w '%{stderr}%{conn_id}\n'
    assert_status 0
    [ "$(sort -u "$STDERR" | wc -l)" = 4 ] || fail "want 4 connections" "$(sort "$STDERR" | uniq -c)"
}

@test "HTTP/1.1: --rate 20/s starts a request every 50 ms and sleeps in between" {
    urls 6 >list
    run_h2get_timed --rate 20/s --url @list
    assert_status 0
    # requests at 0, 50, ..., 250 ms; a client that polled without waiting would burn its
    # CPU for all that time
    [ "$WALL_MS" -ge 240 ] || fail "6 requests at 20/s took only $WALL_MS ms"
    [ "$CPU_MS" -lt $((WALL_MS / 2)) ] || fail "$CPU_MS ms of CPU in $WALL_MS ms: busy waiting"
}

@test "HTTP/1.1: an idle connection waiting its turn (a TLS 1.3 ticket arrives) does not spin" {
    need_server NGINX_H1TLS
    # two origins (127.0.0.1 and localhost) so two connections; --sequential keeps the
    # second idle while the first body comes at 8 KiB/s (2 s)
    run_h2get_timed --cacert "$CA" --sequential "https://127.0.0.1:$NGINX_H1TLS/slow/size-16384" \
        "https://localhost:$NGINX_H1TLS/size-1"
    assert_status 0
    cat "$E2E_DOCROOT/size-16384" "$E2E_DOCROOT/size-1" >want
    cmp -s want "$STDOUT" || fail "stdout is not size-16384 then size-1" "$(h2get_context)"
    [ "$WALL_MS" -ge 1000 ] || fail "the slow body took only $WALL_MS ms: the test proves nothing"
    [ "$CPU_MS" -lt $((WALL_MS / 2)) ] || fail "$CPU_MS ms of CPU in $WALL_MS ms: busy waiting"
}

@test "HTTP/1.1: each request goes out as soon as the one before ends (no timer wait)" {
    # a step that started nothing used to leave the next request to the 1 s poll timeout
    urls 4 >list
    run_h2get_timed --url @list
    assert_status 0
    [ "$WALL_MS" -lt 900 ] || fail "4 local requests took $WALL_MS ms: a request waited"
    run_h2get_timed --sequential "http://localhost:$NGINX_PLAIN/size-1" \
        "http://127.0.0.1:$NGINX_PLAIN/size-1" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 0
    [ "$WALL_MS" -lt 900 ] || fail "--sequential over two origins took $WALL_MS ms"
}

@test "HTTP/1.1: a kept-alive connection reset as it is reused: the request goes again, exit 0" {
    local log="$BATS_TEST_TMPDIR/h1reset.log" pf="$BATS_TEST_TMPDIR/h1reset.port" pid port
    "$E2E_PY" -B "$E2E_DIR/peers/h1reset.py" "$pf" "$log" $((E2E_TIMEOUT + 15)) 3>&- &
    pid=$!
    track "$pid"
    for _ in $(seq 50); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    port=$(cat "$pf") || fail "h1reset did not start"
    run_h2get "http://127.0.0.1:$port/a" "http://127.0.0.1:$port/b" "http://127.0.0.1:$port/c"
    assert_status 0
    assert_stdout_is $'/a\n/b\n/c\n'
    # /b was reset on the reused connection, then answered on a new one
    [ "$(grep -c ' reset request=/b$' "$log")" = 1 ] && [ "$(grep -c ' answer request=' "$log")" = 3 ] ||
        fail "unexpected server log:" "$(cat "$log")"
}
