#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# WebSocket (issue 11): ws:// over the HTTP/1.1 Upgrade and RFC 8441 extended CONNECT over
# HTTP/2 (h2c and TLS), against Apache httpd's mod_http2 (H2WebSockets) in front of an echo
# backend, and against the scripted server tests/e2e/peers/wspeer.py: echo,
# fragments with a Ping in between, close codes, each bad frame with the Close h2get sends
# for it, handshake failures, the fallback to HTTP/1.1 when the server does not allow
# extended CONNECT, and the --frames lines.

load helpers
load proxy

setup_file() {
    e2e_setup_file
    make_certs
    start_squid SQUID
    start_microsocks SOCKS
    [ -s "${CA:-}" ] || return 0
    start_apache_ws
    # https:// proxies: nghttpx (TLS) in front of Squid, one of them asking for credentials
    [ -n "${SQUID:-}" ] && start_nghttpx NGHTTPX "$SQUID"
    start_squid SQUID_AUTH auth
    [ -n "${SQUID_AUTH:-}" ] && start_nghttpx NGHTTPX_AUTH "$SQUID_AUTH"
    return 0
}

# start_apache_ws: an echo backend (wspeer.py over HTTP/1.1) behind Apache httpd with
# H2WebSockets (servers/apache-ws.conf.in); exports APACHE_WS (its TLS port).
start_apache_ws() {
    local bin dir="$BATS_FILE_TMPDIR/apache" pf port pid
    bin=$(find_bin apache2) || { missing APACHE_WS "apache2 is not installed (make deps)"; return 0; }
    mkdir -p "$dir"
    chmod 755 "$dir"
    pf="$dir/backend.port"
    "$E2E_PY" -B "$E2E_DIR/peers/wspeer.py" echo --port-file "$pf" --log "$dir/backend.log" \
        --lifetime 3600 >"$dir/backend.out" 2>&1 3>&- &
    track $!
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    for _ in 1 2 3; do
        port=$(free_port)
        sed -e "s|@DIR@|$dir|g; s|@PORT@|$port|; s|@BACKEND@|$(cat "$pf")|" \
            -e "s|@CERT@|$E2E_CERTS/server.pem|; s|@KEY@|$E2E_CERTS/server.key|" \
            "$E2E_DIR/servers/apache-ws.conf.in" >"$dir/httpd.conf"
        "$bin" -f "$dir/httpd.conf" -DFOREGROUND >"$dir/stdout.log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            export APACHE_WS=$port APACHE_WS_LOG="$dir/backend.log"
            return 0
        fi
        stop_pid "$pid"
    done
    missing APACHE_WS "apache2 did not start: $(tail -3 "$dir/error.log" "$dir/stdout.log")"
}

teardown_file() {
    e2e_teardown_file
    proxy_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    unset http_proxy https_proxy HTTPS_PROXY HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
}

teardown() {
    e2e_teardown
}

# start_ws SCENARIO [wspeer options]: the scripted WebSocket server; sets WS_PORT, WS_LOG.
start_ws() {
    local scenario=$1 pf="$BATS_TEST_TMPDIR/ws.port" pid
    shift
    WS_LOG="$BATS_TEST_TMPDIR/ws.log"
    rm -f "$pf"
    "$E2E_PY" -B "$E2E_DIR/peers/wspeer.py" "$scenario" --port-file "$pf" --log "$WS_LOG" \
        --lifetime $((E2E_TIMEOUT + 15)) "$@" >"$BATS_TEST_TMPDIR/ws.out" 2>&1 3>&- &
    pid=$!
    track "$pid"
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    [ -s "$pf" ] || fail "wspeer did not start:" "$(cat "$BATS_TEST_TMPDIR/ws.out")"
    WS_PORT=$(cat "$pf")
}

need_h2_lib() {
    "$E2E_PY" -c 'import h2.settings' 2>/dev/null || skip_or_die "$E2E_PY lacks python3-h2"
}

# ws_log_wait REGEX: the peer logged a matching line (within 5 s).
ws_log_wait() {
    for _ in $(seq 50); do
        grep -Eq -- "$1" "$WS_LOG" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "wspeer log has no line matching: $1" "--- log:" "$(cat "$WS_LOG" 2>/dev/null)"
}

# assert_stdout_bytes FORMAT: stdout is exactly what printf FORMAT makes (NUL bytes too).
assert_stdout_bytes() {
    printf "$1" >"$BATS_TEST_TMPDIR/want"
    cmp -s "$BATS_TEST_TMPDIR/want" "$STDOUT" || fail "stdout differs" \
        "--- expected: $(od -c "$BATS_TEST_TMPDIR/want" | head -5)" "--- got: $(od -c "$STDOUT" | head -5)"
}

# Stdin that stays open for a while after its lines, so the server speaks first.
slow_lines() {
    printf "$@"
    sleep 1
}

@test "ws:// over HTTP/1.1: lines echoed one per line, Close 1000 on EOF, exit 0" {
    start_ws echo
    printf 'hello\nw\xc3\xb6rld\n\nlast without newline' >"$BATS_TEST_TMPDIR/in"
    run_h2get -v "ws://127.0.0.1:$WS_PORT/chat?room=1" <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is $'hello\nw\xc3\xb6rld\n\nlast without newline\n'
    assert_stderr '^\* WebSocket open over HTTP/1\.1$'
    ws_log_wait "^c1 close 1000 ''$"
    ws_log_wait '^c1 request GET /chat\?room=1 HTTP/1\.1$'
    ws_log_wait '^c1 field sec-websocket-version: 13$'
    ws_log_wait '^c1 field upgrade: websocket$'
    ws_log_wait "^c1 msg text 0 ''$"
    [ "$(grep -c ' msg text ' "$WS_LOG")" = 4 ] || fail "expected 4 messages" "$(cat "$WS_LOG")"
}

@test "--ws-binary: stdin goes as binary messages and binary comes back as it is" {
    start_ws echo
    printf '\x00\x01\xff\xfe\n' >"$BATS_TEST_TMPDIR/in"
    run_h2get --ws-binary "ws://127.0.0.1:$WS_PORT/" <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_bytes '\000\001\377\376\n'
    ws_log_wait '^c1 msg binary 5 '
}

@test "fragments with a Ping in between: reassembled, the Ping answered with its payload" {
    start_ws fragments
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'hi\n')
    assert_status 0
    # "Hel" + Ping + "lo" as text, then a binary message in two fragments, then the echo
    assert_stdout_bytes 'Hello\n\000\001\002\nhi\n'
    ws_log_wait "^c1 pong 'p1'$"
}

@test "the server closes with 4000: its code and reason in the error, exit 126, code echoed" {
    start_ws close4000
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'x\n')
    assert_status 126
    assert_error_line 126 "^h2get: \(126\) WebSocket closed abnormally: the server closed the WebSocket with 4000 'bye now'$"
    ws_log_wait "^c1 close 4000 ''$"
}

@test "a masked frame from the server: exit 124, Close 1002 naming RFC 6455 §5.1" {
    start_ws masked
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines '')
    assert_status 124
    assert_error_line 124 'masked frame from the server \(RFC 6455 §5\.1\); sent Close 1002$'
    ws_log_wait "^c1 close 1002 'masked frame from the server \(RFC 6455 §5\.1\)'$"
}

@test "bad UTF-8 split across fragments: exit 124, Close 1007" {
    start_ws badutf8
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines '')
    assert_status 124
    assert_error_line 124 'WebSocket text is not UTF-8: invalid UTF-8 in a text message \(RFC 6455 §8\.1\); sent Close 1007$'
    ws_log_wait '^c1 close 1007 '
    [ ! -s "$STDOUT" ] || fail "nothing of the bad message may be written" "$(od -c "$STDOUT")"
}

@test "an oversized frame (2^40 bytes): exit 124 at once, Close 1009" {
    start_ws oversized
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines '')
    assert_status 124
    assert_error_line 124 'WebSocket message too big: message over the 16 MiB limit'
    ws_log_wait '^c1 close 1009 '
}

@test "a RSV bit without an extension: exit 124, Close 1002" {
    start_ws rsv
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'a\n')
    assert_status 124
    assert_error_line 124 'RSV bit set without an extension \(RFC 6455 §5\.2\)'
    ws_log_wait '^c1 close 1002 '
}

@test "the connection ends without a Close: exit 126 (1006)" {
    start_ws noclose
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'a\n')
    assert_status 126
    assert_error_line 126 'the connection ended without a WebSocket Close \(1006\)$'
    assert_stdout_is ''
}

@test "the connection reset without a Close: exit 126 (1006) too, not a receive failure" {
    start_ws reset
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'a\n')
    assert_status 126
    assert_error_line 126 'the connection ended without a WebSocket Close \(1006\): .*reset'
    assert_stdout_is ''
}

@test "no Close in reply to ours: bounded by --stall-timeout, exit 126" {
    start_ws silent
    SECONDS=0
    run_h2get --stall-timeout 1 "ws://127.0.0.1:$WS_PORT/" < <(printf 'a\n')
    assert_status 126
    assert_error_line 126 'no Close from the server in reply to ours \(1006\)$'
    [ "$SECONDS" -lt 5 ] || fail "took ${SECONDS}s"
}

@test "426 Upgrade Required: exit 125 with a clear message" {
    start_ws 426
    run_h2get "ws://127.0.0.1:$WS_PORT/" </dev/null
    assert_status 125
    assert_error_line 125 'WebSocket handshake failed: the server answered 426 Upgrade Required'
}

@test "a 101 with the wrong Sec-WebSocket-Accept: exit 125" {
    start_ws badkey
    run_h2get "ws://127.0.0.1:$WS_PORT/" </dev/null
    assert_status 125
    assert_error_line 125 "wrong Sec-WebSocket-Accept 'MDEyMzQ1Njc4OWFiY2RlZmdoaWo=' for our key"
}

@test "a stdin line that is not UTF-8 is refused (use --ws-binary), exit 26" {
    start_ws echo
    run_h2get "ws://127.0.0.1:$WS_PORT/" < <(printf 'ok\n\xff\n')
    assert_status 26
    assert_error_line 26 'a stdin line is not UTF-8 text \(use --ws-binary\)$'
}

@test "several ws:// URLs without HTTP/2: exit 125, they need one RFC 8441 connection" {
    run_h2get "ws://127.0.0.1:1/a" "ws://127.0.0.1:1/b" </dev/null
    assert_status 125
    assert_error_line 125 'several WebSocket URLs need one HTTP/2 connection with extended CONNECT \(RFC 8441\): HTTP/1\.1 only'
}

@test "WebSocket URLs of two origins, or mixed with http://: usage errors" {
    run_h2get --http2-prior-knowledge "ws://127.0.0.1:1/a" "ws://127.0.0.1:2/b" </dev/null
    assert_status 2
    assert_error_line 2 "'ws://127\.0\.0\.1:2/b': several WebSocket URLs must share one origin$"
    run_h2get "ws://127.0.0.1:1/a" "http://127.0.0.1:1/b" </dev/null
    assert_status 2
    assert_error_line 2 "'http://127\.0\.0\.1:1/b': a WebSocket run takes only ws:// and wss:// URLs$"
}

@test "several URLs of one origin: streams of one HTTP/2 connection, each gets every line" {
    need_h2_lib
    start_ws echo --h2
    run_h2get --http2-prior-knowledge "ws://127.0.0.1:$WS_PORT/a" "ws://127.0.0.1:$WS_PORT/b" \
        "ws://127.0.0.1:$WS_PORT/c" < <(slow_lines 'one\n')
    assert_status 0
    assert_stdout_is $'one\none\none\n'
    ws_log_wait '^c1 h2 CONNECT protocol=websocket path=/a '
    ws_log_wait '^c1 h2 CONNECT protocol=websocket path=/c '
    for sid in 1 3 5; do
        ws_log_wait "^c1 s$sid msg text 3 'one'$"
        ws_log_wait "^c1 s$sid close 1000 ''$"
        ws_log_wait "^c1 s$sid end_stream$"
    done
    ! grep -q '^c2 ' "$WS_LOG" || fail "one connection only" "$(cat "$WS_LOG")"
}

@test "several URLs: one closed with 4000 fails alone, named by its URL; the other closes well" {
    need_h2_lib
    start_ws echo --h2
    run_h2get --http2-prior-knowledge "ws://127.0.0.1:$WS_PORT/s/echo" \
        "ws://127.0.0.1:$WS_PORT/s/close4000" < <(slow_lines 'x\n')
    assert_status 126
    assert_error_line 126 "^h2get: \(126\) WebSocket closed abnormally: 'ws://127\.0\.0\.1:$WS_PORT/s/close4000': the server closed the WebSocket with 4000 'bye now'$"
    assert_stdout_is $'x\n'
    ws_log_wait "^c1 s1 close 1000 ''$"
    ws_log_wait "^c1 s3 close 4000 ''$"
}

@test "RFC 8441 over h2c: extended CONNECT with :protocol websocket, echo, END_STREAM" {
    need_h2_lib
    start_ws fragments --h2
    run_h2get --http2-prior-knowledge -v "ws://127.0.0.1:$WS_PORT/chat" < <(slow_lines 'one\ntwo\n')
    assert_status 0
    assert_stdout_bytes 'Hello\n\000\001\002\none\ntwo\n'
    assert_stderr '^\* WebSocket open over HTTP/2 \(RFC 8441\)$'
    assert_stderr '^> :protocol: websocket$'
    ws_log_wait '^c1 h2 CONNECT protocol=websocket path=/chat version=13$'
    ws_log_wait "^c1 s1 pong 'p1'$"
    ws_log_wait "^c1 s1 close 1000 ''$"
    ws_log_wait '^c1 s1 end_stream$'
}

@test "wss:// over TLS with ALPN h2 and RFC 8441; --frames shows the WebSocket frames" {
    need_h2_lib
    need_certs
    start_ws echo --h2 --tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key"
    run_h2get --cacert "$CA" --frames "wss://localhost:$WS_PORT/echo" <<<"ping me"
    assert_status 0
    assert_stdout_is $'ping me\n'
    assert_stderr '^\+[0-9.]+ms > WS text s=1 len=7 fin masked$'
    assert_stderr "^    data='ping me'$"
    assert_stderr '^\+[0-9.]+ms < WS text s=1 len=7 fin$'
    assert_stderr '^\+[0-9.]+ms < WS close s=1 len=2 fin$'
    assert_stderr "^    code=1000 reason=''$"
    ws_log_wait '^c1 h2 CONNECT protocol=websocket path=/echo version=13$'
}

@test "no SETTINGS_ENABLE_CONNECT_PROTOCOL: falls back to HTTP/1.1 Upgrade on a new connection" {
    need_h2_lib
    need_certs
    start_ws echo --h2 --no-connect-protocol --tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key"
    run_h2get --cacert "$CA" -v "wss://localhost:$WS_PORT/x" <<<"over h1"
    assert_status 0
    assert_stdout_is $'over h1\n'
    assert_stderr '^\* The server does not allow extended CONNECT: WebSocket over HTTP/1\.1$'
    ws_log_wait '^c2 request GET /x HTTP/1\.1$'
    ws_log_wait "^c2 msg text 7 'over h1'$"
    ! grep -q '^c1 h2 ' "$WS_LOG" || fail "no extended CONNECT may be sent" "$(cat "$WS_LOG")"
}

@test "RFC 8441: a non-2xx answer to the extended CONNECT is exit 125" {
    need_h2_lib
    start_ws 426 --h2
    run_h2get --http2-prior-knowledge "ws://127.0.0.1:$WS_PORT/" </dev/null
    assert_status 125
    assert_error_line 125 'the server answered 426 to the extended CONNECT$'
}

@test "Apache httpd (H2WebSockets): wss:// over HTTP/2 with RFC 8441, echoed by the backend" {
    need_server APACHE_WS
    run_h2get --cacert "$CA" -v "wss://localhost:$APACHE_WS/ws/h2" <<<$'one\ntwo'
    assert_status 0
    assert_stdout_is $'one\ntwo\n'
    assert_stderr '^\* ALPN: server accepted h2$'
    assert_stderr '^< :status: 200$'
    assert_stderr '^\* WebSocket open over HTTP/2 \(RFC 8441\)$'
    grep -q "^c[0-9]* request GET /h2 HTTP/1.1$" "$APACHE_WS_LOG" ||
        fail "the backend saw no upgrade for /h2" "$(cat "$APACHE_WS_LOG")"
}

@test "Apache httpd: wss:// over the HTTP/1.1 Upgrade (--http1.1), same backend" {
    need_server APACHE_WS
    run_h2get --http1.1 --cacert "$CA" -v "wss://localhost:$APACHE_WS/ws/h1" <<<'over http/1.1'
    assert_status 0
    assert_stdout_is $'over http/1.1\n'
    assert_stderr '^\* < HTTP/1\.1 101 Switching Protocols$'
    assert_stderr '^\* WebSocket open over HTTP/1\.1$'
}

@test "RFC 8441: SETTINGS_ENABLE_CONNECT_PROTOCOL withdrawn after 1 is a connection error, exit 16" {
    need_h2_lib
    start_ws echo --h2 --withdraw
    run_h2get --http2-prior-knowledge "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'a\n')
    assert_status 16
    assert_error_line 16 'SETTINGS_ENABLE_CONNECT_PROTOCOL withdrawn \(RFC 8441 §3\)$'
    ws_log_wait '^c1 goaway$|^c1 end$'
}

@test "-m bounds a WebSocket whose server stays silent: exit 28" {
    start_ws echo
    SECONDS=0
    run_h2get -m 1 "ws://127.0.0.1:$WS_PORT/" < <(sleep 5)
    assert_status 28
    assert_error_line 28 'operation timed out after 1000 ms \(--max-time\)$'
    [ "$SECONDS" -lt 4 ] || fail "took ${SECONDS}s"
}

@test "-o FILE: the messages go to FILE, renamed into place after a normal close only" {
    start_ws echo
    run_h2get -o msgs.txt "ws://127.0.0.1:$WS_PORT/" <<<$'one\ntwo'
    assert_status 0
    assert_stdout_is ''
    [ "$(cat msgs.txt)" = $'one\ntwo' ] || fail "msgs.txt: $(od -c msgs.txt | head -3)"
    start_ws close4000
    run_h2get -o gone.txt "ws://127.0.0.1:$WS_PORT/" < <(slow_lines 'x\n')
    assert_status 126
    [ ! -e gone.txt ] || fail "an abnormally closed WebSocket must not leave gone.txt"
    [ "$(ls)" = msgs.txt ] || fail "no temporary file may be left behind: $(ls)"
}

@test "wss:// through Squid: a CONNECT tunnel, TLS and RFC 8441 inside it" {
    need_server SQUID
    need_h2_lib
    need_certs
    start_ws echo --h2 --tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key"
    run_h2get --cacert "$CA" -x "http://127.0.0.1:$SQUID" -v "wss://localhost:$WS_PORT/p" \
        <<<'through squid'
    assert_status 0
    assert_stdout_is $'through squid\n'
    assert_stderr "^\* CONNECT to localhost:$WS_PORT answered 200: tunnel open$"
    assert_stderr '^\* WebSocket open over HTTP/2 \(RFC 8441\)$'
    ws_log_wait '^c1 h2 CONNECT protocol=websocket path=/p version=13$'
}

@test "ws:// through a SOCKS5 proxy from the environment (all_proxy)" {
    need_server SOCKS
    start_ws echo
    all_proxy="socks5h://127.0.0.1:$SOCKS" run_h2get -v "ws://localhost:$WS_PORT/s" <<<'via socks'
    assert_status 0
    assert_stdout_is $'via socks\n'
    assert_stderr "^\* Through proxy socks5h://127\.0\.0\.1:$SOCKS \(all_proxy\)$"
    ws_log_wait "^c1 msg text 9 'via socks'$"
}

@test "wss:// through an https:// proxy: TLS to nghttpx, CONNECT over HTTP/1.1, RFC 8441 inside" {
    need_server NGHTTPX
    need_h2_lib
    need_certs
    start_ws echo --h2 --tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key"
    nghttpx_mark NGHTTPX
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -v \
        "wss://localhost:$WS_PORT/p" < <(printf 'through\nw\xc3\xb6rld\n')
    assert_status 0
    assert_stdout_bytes 'through\nw\303\266rld\n'
    assert_stderr "^\* Through proxy https://localhost:$NGHTTPX \(-x\)$"
    assert_stderr '^\* proxy ALPN: proxy accepted http/1\.1$'
    assert_stderr "^\* CONNECT to localhost:$WS_PORT answered 200: tunnel open$"
    assert_stderr '^\* ALPN: server accepted h2$'
    assert_stderr '^\* WebSocket open over HTTP/2 \(RFC 8441\)$'
    ws_log_wait '^c1 h2 CONNECT protocol=websocket path=/p version=13$'
    ws_log_wait "^c1 s1 msg text 6 'w.*rld'$"
    nghttpx_lines NGHTTPX | grep -q " http/1.1 CONNECT localhost:$WS_PORT 200$" ||
        fail "nghttpx saw no CONNECT" "$(nghttpx_lines NGHTTPX)"
}

@test "ws:// through an https:// proxy: the HTTP/1.1 Upgrade in the tunnel, binary byte-exact" {
    need_server NGHTTPX
    start_ws echo
    all_proxy="https://localhost:$NGHTTPX" run_h2get -v --proxy-cacert "$CA" --ws-binary \
        "ws://localhost:$WS_PORT/b" < <(printf '\000\001\377\376\n')
    assert_status 0
    assert_stdout_bytes '\000\001\377\376\n'
    assert_stderr "^\* Through proxy https://localhost:$NGHTTPX \(all_proxy\)$"
    assert_stderr "^\* CONNECT to localhost:$WS_PORT answered 200: tunnel open$"
    assert_stderr '^\* WebSocket open over HTTP/1\.1$'
    ws_log_wait '^c1 request GET /b HTTP/1\.1$'
    ws_log_wait '^c1 msg binary 5 '
}

@test "an https:// proxy with -U for WebSocket: credentials masked, checked by the proxy; 407 named" {
    need_server NGHTTPX_AUTH
    need_certs
    start_ws echo --tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key"
    squid_mark SQUID_AUTH
    run_h2get -v -U "$PROXY_USER:$PROXY_PASS" --cacert "$CA" --proxy-cacert "$CA" \
        -x "https://localhost:$NGHTTPX_AUTH" "wss://localhost:$WS_PORT/a" <<<'with auth'
    assert_status 0
    assert_stdout_is $'with auth\n'
    assert_stderr '^> Proxy-Authorization: \[masked\]$'
    refute_secret
    [ "$(squid_log_count SQUID_AUTH "TCP_TUNNEL/200 .* CONNECT localhost:$WS_PORT $PROXY_USER ")" = 1 ] ||
        fail "Squid saw no CONNECT by $PROXY_USER" "$(cat "$SQUID_AUTH_LOG")"
    run_h2get -U "$PROXY_USER:wrong" --cacert "$CA" --proxy-cacert "$CA" \
        -x "https://localhost:$NGHTTPX_AUTH" "wss://localhost:$WS_PORT/a" </dev/null
    assert_status 56
    assert_error_line 56 "proxy https://localhost:$NGHTTPX_AUTH: CONNECT to 'localhost:$WS_PORT' answered 407"
}

@test "an https:// proxy for WebSocket: its certificate checked against --proxy-cacert (exit 60)" {
    need_server NGHTTPX
    run_h2get --cacert "$CA" -x "https://localhost:$NGHTTPX" "wss://localhost:1/" </dev/null
    assert_status 60
    assert_error_line 60 "^h2get: \(60\) certificate verification failed: proxy https://localhost:$NGHTTPX: certificate for 'localhost' not accepted: "
}

@test "a slow reader on stdout: ws:// over HTTP/1.1 holds the server back, byte-exact, bounded" {
    need_cmd time
    head -c $((24 << 20)) /dev/urandom >big
    start_ws flood --flood "$PWD/big"
    mkfifo slow
    { sleep 2; cat; } <slow >out &
    local reader=$!
    run_h2get_time "ws://127.0.0.1:$WS_PORT/" < <(sleep 1) >slow
    wait "$reader"
    assert_status 0
    cmp -s big out || fail "stdout differs: $(stat -c %s out) bytes" "$stderr"
    # memory stays near one message (3 MiB), stdout's 64 KiB and a read, not the 24 MiB
    assert_rss_growth rss 12288 "24 MiB of messages held back by a slow reader"
    ws_log_wait '^c1 flood sent 25165824 bytes in [0-9]+ messages$'
    ws_log_wait "^c1 close 1000 ''$"
}

@test "a slow reader on stdout: stdin and another URL's stream go on meanwhile (RFC 8441)" {
    need_h2_lib
    need_cmd time
    head -c $((24 << 20)) /dev/urandom >big
    start_ws echo --h2 --flood "$PWD/big"
    mkfifo slow
    # stdout is not read until the echo stream has carried both stdin lines, the second sent
    # a second after the first: a loop stalled by stdout would never send it
    {
        for _ in $(seq 150); do
            [ "$(grep -c "^c1 s3 msg text" "$WS_LOG" 2>/dev/null)" = 2 ] && touch went_on && break
            sleep 0.1
        done
        cat
    } <slow >out &
    local reader=$!
    run_h2get_time --http2-prior-knowledge -o - "ws://127.0.0.1:$WS_PORT/s/flood" \
        -o echo.txt "ws://127.0.0.1:$WS_PORT/s/echo" < <(printf 'one\n'; sleep 1; printf 'two\n') >slow
    wait "$reader"
    assert_status 0
    [ -e went_on ] || fail "nothing moved while stdout was blocked" "$(cat "$WS_LOG")"
    cmp -s big out || fail "stdout differs: $(stat -c %s out) bytes" "$stderr"
    [ "$(cat echo.txt)" = $'one\ntwo' ] || fail "echo.txt: $(od -c echo.txt | head -3)"
    # one stream window (1 MiB) waits for stdout, plus one message (3 MiB)
    assert_rss_growth rss 12288 "24 MiB of messages held back by a slow reader"
    ws_log_wait '^c1 s1 flood sent 25165824 bytes in [0-9]+ messages$'
    ws_log_wait "^c1 s1 close 1000 ''$"
}

@test "a slow reader on stdout: the Close and END_STREAM behind a held message still end well" {
    need_h2_lib
    need_cmd time
    head -c $((512 << 10)) /dev/urandom >big
    start_ws flood --h2 --flood "$PWD/big"
    mkfifo slow
    { sleep 2; cat; } <slow >out &
    local reader=$!
    # stdin ends at once: our Close goes first; the server's comes after the flood, with
    # END_STREAM, all within one window, while stdout is still blocked
    run_h2get_time --http2-prior-knowledge "ws://127.0.0.1:$WS_PORT/" </dev/null >slow
    wait "$reader"
    assert_status 0
    cmp -s big out || fail "stdout differs: $(stat -c %s out) bytes" "$stderr"
    ws_log_wait "^c1 s1 close 1000 ''$"
    ws_log_wait '^c1 s1 end_stream$'
}
