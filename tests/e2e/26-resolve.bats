#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Name resolution off the event loop (issue 12): a DNS peer (peers/dnspeer.py) that answers
# slowly on purpose, on a loopback address picked at run time, is the only nameserver of a
# resolv.conf that h2get sees through a private mount namespace (unshare -m, as root: CI
# is). AAAA and A are asked separately (RFC 8305 §3): a slow answer holds up neither the
# other family nor the other origins of the run. The same for the target names that
# socks5:// and socks4:// resolve here (microsocks, as in 91-proxy-socks.bats), and for the
# names a WebSocket session resolves (ws_resolve.c), which the timeouts bound.

load helpers
load proxy

setup_file() {
    e2e_setup_file
    make_docroot
    start_nghttpd NGHTTPD_H2C h2c
    start_dns
    start_microsocks SOCKS
}

teardown_file() {
    e2e_teardown_file
    proxy_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_server NGHTTPD_H2C
    need_server DNS
    : >"$DNS_LOG.mark"
}

teardown() {
    e2e_teardown
}

# start_dns: the DNS peer with this file's records on 127.53.X.Y:53 (a free one), a
# resolv.conf naming it, and $H2GET_NS: h2get run in a mount namespace that sees it.
start_dns() {
    local addr pid i
    if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
        missing DNS "needs root and unshare(1) for a private /etc/resolv.conf (CI runs as root)"
        return 0
    fi
    export DNS_LOG="$BATS_FILE_TMPDIR/dns.log"
    for i in 1 2 3 4 5; do
        addr="127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
        : >"$DNS_LOG"
        "$E2E_PY" -B "$E2E_DIR/peers/dnspeer.py" --addr "$addr" --log "$DNS_LOG" \
            --lifetime 600 \
            --record slow.test A 127.0.0.1 3000 \
            --record v6slow.test A 127.0.0.1 0 --record v6slow.test AAAA - 0 \
            --record v6first.test AAAA ::1 0 --record v6first.test A 127.0.0.1 500 \
            --record hang.test A - 0 --record hang.test AAAA - 0 \
            --record v6only.test AAAA ::1 0 \
            >"$BATS_FILE_TMPDIR/dns.err" 2>&1 3>&- &
        pid=$!
        track "$pid"
        for _ in $(seq 50); do
            grep -q '^ready$' "$DNS_LOG" && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        grep -q '^ready$' "$DNS_LOG" && break
        stop_pid "$pid"
    done
    grep -q '^ready$' "$DNS_LOG" ||
        { missing DNS "dnspeer did not start: $(tail -3 "$BATS_FILE_TMPDIR/dns.err")"; return 1; }
    printf 'nameserver %s\noptions timeout:20 attempts:1\n' "$addr" >"$BATS_FILE_TMPDIR/resolv.conf"
    cat >"$BATS_FILE_TMPDIR/h2get-ns" <<EOF
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$0" /etc/resolv.conf && exec "\$@"' \\
    "$BATS_FILE_TMPDIR/resolv.conf" "$H2GET" "\$@"
EOF
    chmod +x "$BATS_FILE_TMPDIR/h2get-ns"
    export DNS=1
}

# run_ns ARGS...: run_h2get through the namespace with the test's resolv.conf.
run_ns() {
    H2GET="$E2E_TMP/h2get-ns" run_h2get "$@"
}

# ms_since T0: milliseconds since T0 (date +%s%3N).
ms_since() {
    echo $(($(date +%s%3N) - $1))
}

# run_ns_within MS ARGS...: run_ns, and fail when it took MS milliseconds or more.
run_ns_within() {
    local ms=$1 t0
    shift
    t0=$(date +%s%3N)
    run_ns "$@"
    [ "$(ms_since "$t0")" -lt "$ms" ] || fail "took $(ms_since "$t0") ms, not under $ms"
}

@test "a name that takes 3 s to resolve holds up no other origin: the other body is written first" {
    local u="http://127.0.0.1:$NGHTTPD_H2C" t0 seen=""
    H2GET="$E2E_TMP/h2get-ns" run_h2get_bg --http2-prior-knowledge \
        -w '%{stderr}%{url} %{time_namelookup}\n' \
        -o slow.out "http://slow.test:$NGHTTPD_H2C/size-1" -o fast.out "$u/size-16384"
    t0=$(date +%s%3N)
    while [ "$(ms_since "$t0")" -lt 2500 ]; do
        if [ -e fast.out ]; then
            seen=$(grep -c '^answer slow.test A ' "$DNS_LOG" || true)
            break
        fi
        sleep 0.05
    done
    [ -e fast.out ] || fail "fast.out was not written within 2.5 s: the slow lookup held it up"
    [ "$seen" = 0 ] || fail "fast.out came only after the slow name's answer" "$(cat "$DNS_LOG")" "$(ms_since "$t0") ms"
    wait_h2get
    assert_status 0
    assert_file_sha fast.out "$(doc_sha size-16384)"
    assert_file_sha slow.out "$(doc_sha size-1)"
    # %{time_namelookup} stays right per URL: the slow name's is its 3 s, the literal's none
    awk -v u="http://slow.test:$NGHTTPD_H2C/size-1" '$1 == u && $2 >= 2.9 { ok = 1 }
        END { exit !ok }' "$STDERR" || fail "slow.test: time_namelookup not about 3 s" "$stderr"
    awk -v u="$u/size-16384" '$1 == u && $2 < 0.5 { ok = 1 } END { exit !ok }' "$STDERR" ||
        fail "the literal's time_namelookup is not near 0" "$stderr"
}

@test "A answered, AAAA never: IPv4 after the 50 ms Resolution Delay, and exit without waiting" {
    run_ns_within 3000 --http2-prior-knowledge -v -o out -w '%{remote_ip} %{time_namelookup}\n' \
        "http://v6slow.test:$NGHTTPD_H2C/size-1" # not waiting for AAAA
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    [[ "$(cat "$STDOUT")" =~ ^127\.0\.0\.1\ 0\.0[5-9][0-9]*$|^127\.0\.0\.1\ 0\.[1-9][0-9]*$ ]] ||
        fail "expected 127.0.0.1 after at least the 50 ms delay" "$(cat "$STDOUT")"
    assert_stderr '^\* DNS A answer for v6slow\.test after [0-9]+ ms: 1 address$'
    assert_stderr '^\* Host v6slow\.test:[0-9]+ resolved \(1 address so far\)$'
    refute_stderr 'DNS AAAA answer'
    grep -q '^drop v6slow.test AAAA$' "$DNS_LOG" || fail "AAAA was not asked separately"
}

@test "AAAA first: connect at once; its failure waits for the A answer, which is then tried" {
    run_ns --http2-prior-knowledge -v -o out -w '%{remote_ip}' \
        "http://v6first.test:$NGHTTPD_H2C/size-1"
    assert_status 0
    assert_stdout_is 127.0.0.1
    assert_file_sha out "$(doc_sha size-1)"
    assert_stderr '^\* DNS AAAA answer for v6first\.test after [0-9]+ ms: 1 address$'
    assert_stderr '^\* Host v6first\.test:[0-9]+ resolved \(1 address so far\)$'
    assert_stderr '^\* DNS A answer for v6first\.test after [0-9]+ ms: 1 address$'
    assert_stderr "^\\* Connected to 127\\.0\\.0\\.1:$NGHTTPD_H2C$"
}

@test "a name the resolver does not know: exit 6 with one line naming it" {
    run_ns --http2-prior-knowledge "http://nx.test:$NGHTTPD_H2C/size-1"
    assert_status 6
    assert_stderr_is "h2get: (6) could not resolve host: 'nx.test': could not resolve 'nx.test': Name or service not known"
}

@test "-4 and a name with only an AAAA record: exit 6, the resolver's reason" {
    run_ns -4 --http2-prior-knowledge "http://v6only.test:$NGHTTPD_H2C/size-1"
    assert_status 6
    assert_stderr_is "h2get: (6) could not resolve host: 'v6only.test': could not resolve 'v6only.test': Name or service not known"
}

@test "a resolver that never answers: --connect-timeout 1 ends the run in about a second, exit 28" {
    run_ns_within 3000 --connect-timeout 1 --http2-prior-knowledge "http://hang.test:$NGHTTPD_H2C/size-1"
    assert_status 28
    assert_stderr_is "h2get: (28) timeout: connection to 'hang.test' not set up within 1000 ms"
}

@test "socks5:// resolves here off the loop: a 3 s name holds up no other tunnel's transfer" {
    need_server SOCKS
    local u="http://127.0.0.1:$NGHTTPD_H2C" t0 seen="" before
    before=$(grep -c '^answer slow.test A ' "$DNS_LOG" || true) # earlier tests asked too
    H2GET="$E2E_TMP/h2get-ns" run_h2get_bg --http2-prior-knowledge -v -x "socks5://127.0.0.1:$SOCKS" \
        -o slow.out "http://slow.test:$NGHTTPD_H2C/size-1" -o fast.out "$u/size-16384"
    t0=$(date +%s%3N)
    while [ "$(ms_since "$t0")" -lt 2500 ]; do
        if [ -e fast.out ]; then
            seen=$(grep -c '^answer slow.test A ' "$DNS_LOG" || true)
            break
        fi
        sleep 0.05
    done
    [ -e fast.out ] || fail "fast.out was not written within 2.5 s: the slow lookup held it up"
    [ "$seen" = "$before" ] || fail "fast.out came only after the slow name's answer" "$(cat "$DNS_LOG")"
    wait_h2get
    assert_status 0
    assert_file_sha fast.out "$(doc_sha size-16384)"
    assert_file_sha slow.out "$(doc_sha size-1)"
    assert_stderr "^\\* Resolving 'slow\\.test' here for socks5://127\\.0\\.0\\.1:$SOCKS$"
    assert_stderr '^\* DNS A answer for slow\.test after (29[0-9][0-9]|3[0-9]{3}) ms: 1 address$'
    assert_stderr "^\\* socks5 tunnel to slow\\.test:$NGHTTPD_H2C open$"
}

@test "socks5:// and socks4:// with a name the resolver does not know: exit 6 naming it" {
    need_server SOCKS
    local s
    for s in socks5 socks4; do
        run_ns --http2-prior-knowledge -x "$s://127.0.0.1:$SOCKS" "http://nx.test:$NGHTTPD_H2C/size-1"
        assert_status 6
        [ "$stderr" = "h2get: (6) could not resolve host: could not resolve 'nx.test': Name or service not known (resolved here for $s://127.0.0.1:$SOCKS)" ] ||
            fail "$s: unexpected message" "$stderr"
    done
}

@test "socks5:// and a name that never resolves: --connect-timeout 1 ends it, exit 28" {
    need_server SOCKS
    run_ns_within 3000 --connect-timeout 1 --http2-prior-knowledge -x "socks5://127.0.0.1:$SOCKS" \
        "http://hang.test:$NGHTTPD_H2C/size-1"
    assert_status 28
    assert_error_line 28 "hang\\.test"
}

# WebSocket sessions dial on their own (ws_dial.c, ws_proxy.c), through the same lookups:
# nothing here needs a WebSocket server, only the resolution and the connect before it.

@test "ws:// and a resolver that never answers: --connect-timeout 1 ends it in about a second, exit 28" {
    run_ns_within 3000 --connect-timeout 1 "ws://hang.test:$NGHTTPD_H2C/"
    assert_status 28
    assert_stderr_is "h2get: (28) timeout: connection to 'hang.test' not set up within 1000 ms"
}

@test "ws:// and a 3 s name: -m 1 ends it after a second with the --max-time message" {
    run_ns_within 2500 -m 1 "ws://slow.test:$NGHTTPD_H2C/"
    assert_status 28
    assert_stderr_is "h2get: (28) timeout: operation timed out after 1000 ms (--max-time)"
}

@test "ws:// AAAA first: its failed connect waits for the A answer, which is then tried" {
    # nghttpd speaks no WebSocket: the Upgrade fails after the connect this is about
    run_ns -v "ws://v6first.test:$NGHTTPD_H2C/"
    assert_stderr '^\* DNS AAAA answer for v6first\.test after [0-9]+ ms: 1 address$'
    assert_stderr '^\* Host v6first\.test:[0-9]+ resolved \(1 address so far\)$'
    assert_stderr '^\* DNS A answer for v6first\.test after [0-9]+ ms: 1 address$'
    assert_stderr "^\\* Connected to 127\\.0\\.0\\.1:$NGHTTPD_H2C$"
}

@test "ws:// through socks5:// and a name that never resolves: --connect-timeout 1 ends it, exit 28" {
    need_server SOCKS
    run_ns_within 3000 --connect-timeout 1 -x "socks5://127.0.0.1:$SOCKS" "ws://hang.test:$NGHTTPD_H2C/"
    assert_status 28
    assert_stderr_is "h2get: (28) timeout: connection to 'hang.test' not set up within 1000 ms"
}
