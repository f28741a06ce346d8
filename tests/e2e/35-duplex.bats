#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Streaming request bodies (issue 11): -T - sends the request headers at once and each read
# of stdin as one DATA frame as it arrives (the scripted peer logs when each frame came),
# -m holds while stdin is quiet, and --frames stamps frames when they were written.
# --duplex: the response is written while the request is still being sent (the handshake
# where the server speaks first), echo of 64 MiB byte-exact (by the Python peer and by
# libnghttp2 in bench/h2echo.c, the benchmark's server), a reset mid-stream, a tunnel
# to a TCP server over one POST stream, HTTP/1.1; trailers both ways, over both versions.

load helpers
load parity

setup_file() {
    e2e_setup_file
    make_certs
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

# slow_input: two 37-byte writes one second apart, after a first second of silence.
slow_input() {
    sleep 1
    printf '%037d' 1
    sleep 1
    printf '%037d' 2
    sleep 0.3
}

# data_at N: the arrival time (s after the request HEADERS) of DATA frame N in the peer log.
data_at() {
    grep -E '^c1 note data at=' "$PEER_LOG" | sed -n "${1}p" | sed -E 's/.*at=([0-9.]+).*/\1/'
}

@test "-T -: headers go out at once, each read of stdin as its own DATA frame when it comes" {
    start_peer upload_times
    run_h2get "${PEER_ARGS[@]}" -T - "$PEER_URL/slow" < <(slow_input)
    assert_status 0
    assert_stdout_is "74 $(printf '%037d%037d' 1 2 | sha256sum | cut -d' ' -f1)"$'\n'
    assert_peer_log '^c1 note data at=[0-9.]+ len=37$'
    [ "$(grep -c '^c1 note data at=.* len=37$' "$PEER_LOG")" = 2 ] ||
        fail "expected two 37-byte DATA frames" "$(grep 'note data' "$PEER_LOG")"
    assert_peer_log '^c1 note data at=[0-9.]+ len=0 END_STREAM$'
    # the headers came a second before the first byte of input, and the two reads a second
    # apart: nothing waited for more input
    awk -v a="$(data_at 1)" -v b="$(data_at 2)" 'BEGIN { exit !(a >= 0.7 && b - a >= 0.7) }' ||
        fail "DATA frames at $(data_at 1) and $(data_at 2) s"
}

@test "-T -: -m holds while stdin stays quiet (28, at its time)" {
    start_peer upload_times
    local t0=$SECONDS
    run_h2get "${PEER_ARGS[@]}" -m 1 -T - "$PEER_URL/quiet" < <(sleep 8)
    assert_status 28
    assert_error_line 28 'timeout' 'operation timed out after 1000 ms'
    [ $((SECONDS - t0)) -le 4 ] || fail "took $((SECONDS - t0)) s"
    assert_peer_log '^c1 request stream=1 method=PUT path=/quiet '
}

@test "-T -: --stall-timeout holds while stdin stays quiet (28, at its time)" {
    start_peer upload_times
    local t0=$SECONDS
    run_h2get "${PEER_ARGS[@]}" --stall-timeout 1 -T - "$PEER_URL/quiet" < <(sleep 8)
    assert_status 28
    assert_stderr 'no progress for 1000 ms'
    [ $((SECONDS - t0)) -le 5 ] || fail "took $((SECONDS - t0)) s"
}

# frame_ms N TYPE: the +ms stamp of the Nth outgoing frame of TYPE on stream 1 in --frames.
frame_ms() {
    grep -E "^\+[0-9.]+ms > $2 s=1 " "$STDERR" | sed -n "${1}p" | sed -E 's/^\+([0-9.]+)ms.*/\1/'
}

@test "-T - --frames: frames are stamped when they were written (as the peer saw them)" {
    start_peer upload_times
    run_h2get "${PEER_ARGS[@]}" --frames -T - "$PEER_URL/slow" < <(slow_input)
    assert_status 0
    local h d1 d2
    h=$(frame_ms 1 HEADERS) d1=$(frame_ms 1 DATA) d2=$(frame_ms 2 DATA)
    [ -n "$h" ] && [ -n "$d1" ] && [ -n "$d2" ] || fail "no HEADERS and two DATA" "$(cat "$STDERR")"
    # what the trace says passed between HEADERS and each DATA is what the peer measured
    awk -v h="$h" -v a="$d1" -v b="$d2" -v pa="$(data_at 1)" -v pb="$(data_at 2)" \
        'BEGIN { da = (a - h) / 1000 - pa; db = (b - h) / 1000 - pb;
                 exit !(da < 0.3 && da > -0.3 && db < 0.3 && db > -0.3 && b - a >= 700) }' ||
        fail "trace: HEADERS +${h}ms DATA +${d1}ms +${d2}ms; peer: DATA at $(data_at 1) $(data_at 2) s"
}

# --- --duplex ------------------------------------------------------------------------

# handshake: the server speaks first ("hello"); a coproc answers each line only after it
# has read the previous one from h2get's stdout; three round trips, then stdin closes.
# A client that sends its whole body before it reads the response never gets "hello".
handshake() {
    local line i
    start_peer greeting
    printf 'h2get --duplex -T - %s\n' "$PEER_URL/tunnel" >"$BATS_TEST_TMPDIR/cmd"
    STDERR="$BATS_TEST_TMPDIR/stderr"
    coproc H2 { timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "${PEER_ARGS[@]}" --duplex -T - \
        "$PEER_URL/tunnel" 2>"$STDERR"; }
    local pid=$H2_PID out in
    track "$pid"
    # our own copies: bash closes the coproc's descriptors as soon as it exits
    exec {out}<&"${H2[0]}" {in}>&"${H2[1]}"
    eval "exec ${H2[1]}>&-"
    read -r -t 10 line <&"$out" || fail "no greeting from the server" "$(cat "$STDERR")"
    [ "$line" = hello ] || fail "greeting: '$line'"
    for i in 1 2 3; do
        printf 'line %d\n' "$i" >&"$in"
        read -r -t 10 line <&"$out" || fail "no answer to line $i" "$(cat "$STDERR")"
        [ "$line" = "echo: line $i" ] || fail "round $i: '$line'"
    done
    eval "exec $in>&-"
    read -r -t 10 line <&"$out" || fail "no goodbye" "$(cat "$STDERR")"
    [ "$line" = bye ] || fail "goodbye: '$line'"
    eval "exec $out<&-"
    status=0
    wait "$pid" || status=$?
    assert_status 0
    [ ! -s "$STDERR" ] || fail "stderr is not empty" "$(cat "$STDERR")"
    assert_peer_log '^c1 note round 3 line=line 3$'
    assert_peer_log '^c1 recv DATA stream=1 flags=END_STREAM len=0$'
}

@test "--duplex: the server speaks first, three round trips through a coproc, then close (TLS)" {
    PEER_MODE=tls handshake
}

@test "--duplex: the server speaks first, three round trips through a coproc, then close (h2c)" {
    PEER_MODE=h2c handshake
}

@test "--duplex: 64 MiB of random bytes echoed back byte-exact, memory bounded (TLS)" {
    need_cmd time
    head -c $((64 << 20)) /dev/urandom >in
    start_peer echo
    local t0=$SECONDS
    run_h2get_time --duplex -T - "${PEER_ARGS[@]}" "$PEER_URL/echo" < <(cat in) >out
    assert_status 0
    cmp -s in out || fail "echo differs: $(stat -c %s out) bytes back"
    assert_peer_log '^c1 note echoed 67108864 bytes$'
    # peak RSS stays near a window (1 MiB) and buffers, not the 64 MiB
    assert_rss_growth rss 32768 "a 64 MiB echo"
    echo "# 64 MiB echo: $((SECONDS - t0)) s, peak RSS $(cat rss) KiB" >&3
}

@test "--duplex: a slow reader on stdout holds the server back; memory stays flat" {
    need_cmd time
    head -c $((16 << 20)) /dev/urandom >in
    start_peer echo
    mkfifo slow
    { sleep 3; cat; } <slow >out &
    local reader=$!
    run_h2get_time --duplex -T - "${PEER_ARGS[@]}" "$PEER_URL/echo" < <(cat in) >slow
    wait "$reader"
    assert_status 0
    cmp -s in out || fail "echo differs: $(stat -c %s out) bytes back"
    assert_rss_growth rss 8192 "16 MiB held back by a slow reader"
    # stdout blocked: no credit beyond the window, so the peer saw its send window close
    assert_peer_log '^c1 note send window closed after [0-9]+ bytes$'
    assert_peer_log '^c1 note echoed 16777216 bytes$'
}

# start_h2echo: the benchmark's streaming echo server (bench/h2echo.c, libnghttp2 + GnuTLS),
# built once per file, on a free port in $(peer_mode): H2ECHO_URL, H2ECHO_ARGS, H2ECHO_PID.
start_h2echo() {
    local bin="$BATS_FILE_TMPDIR/h2echo" pf="$BATS_TEST_TMPDIR/h2echo.port" mode opts=()
    mode=$(peer_mode)
    [ "$mode" = h1 ] && skip "h2echo speaks HTTP/2; E2E_PROTO=h1"
    if [ ! -x "$bin" ]; then
        pkg-config --exists libnghttp2 gnutls ||
            skip_or_die "libnghttp2-dev is missing (make deps): bench/h2echo.c cannot be built"
        # shellcheck disable=SC2046
        "${CC:-cc}" -std=gnu11 -O2 -o "$bin" "$E2E_DIR/../../bench/h2echo.c" \
            $(pkg-config --cflags --libs libnghttp2 gnutls) 2>"$BATS_FILE_TMPDIR/h2echo.err" ||
            fail "bench/h2echo.c does not build:" "$(cat "$BATS_FILE_TMPDIR/h2echo.err")"
    fi
    H2ECHO_ARGS=(--http2-prior-knowledge)
    if [ "$mode" = tls ]; then
        need_certs
        opts=(--tls "$E2E_CERTS/server.pem" "$E2E_CERTS/server.key")
        H2ECHO_ARGS=(--cacert "$CA")
    fi
    "$bin" "${opts[@]}" --port-file "$pf" >/dev/null 2>"$BATS_TEST_TMPDIR/h2echo.out" 3>&- &
    H2ECHO_PID=$!
    track "$H2ECHO_PID"
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        kill -0 "$H2ECHO_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$pf" ] || fail "h2echo did not start:" "$(cat "$BATS_TEST_TMPDIR/h2echo.out")"
    H2ECHO_URL="$([ "$mode" = tls ] && echo https || echo http)://127.0.0.1:$(cat "$pf")"
}

@test "--duplex: 64 MiB echoed by libnghttp2 as it streams (bench/h2echo.c), byte-exact" {
    need_cmd time
    head -c $((64 << 20)) /dev/urandom >in
    start_h2echo
    run_h2get_time --duplex -T - "${H2ECHO_ARGS[@]}" "$H2ECHO_URL/echo" < <(cat in) >out
    assert_status 0
    cmp -s in out || fail "echo differs: $(stat -c %s out) bytes back" "$stderr"
    assert_rss_growth rss 32768 "a 64 MiB echo"
    # the same server's download, the benchmark's baseline
    run_h2get "${H2ECHO_ARGS[@]}" "$H2ECHO_URL/bytes/1000000"
    assert_status 0
    [ "$(wc -c <"$STDOUT")" = 1000000 ] || fail "$(wc -c <"$STDOUT") bytes"
    [ "$(tr -d '\0' <"$STDOUT" | wc -c)" = 0 ] || fail "not all zeros"
}

@test "--duplex: a slow reader holds libnghttp2's echo back, and h2echo's memory stays flat" {
    need_cmd time
    head -c $((32 << 20)) /dev/urandom >in
    start_h2echo
    mkfifo slow
    { sleep 3; cat; } <slow >out &
    local reader=$!
    run_h2get_time --duplex -T - "${H2ECHO_ARGS[@]}" "$H2ECHO_URL/echo" < <(cat in) >slow
    wait "$reader"
    assert_status 0
    cmp -s in out || fail "echo differs: $(stat -c %s out) bytes back" "$stderr"
    assert_rss_growth rss 16384 "32 MiB held back by a slow reader"
    # h2echo gives its window back only for echoed bytes it wrote: a window (1 MiB) and
    # buffers, not the 32 MiB that waited
    local hwm
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$H2ECHO_PID/status")
    [ "$hwm" -lt 16000 ] || fail "h2echo's peak RSS $hwm KiB"
    echo "# h2echo peak RSS $hwm KiB" >&3
}

@test "--duplex over HTTP/1.1: a slow reader makes h2get wait for stdout, nothing is lost" {
    head -c $((8 << 20)) /dev/urandom >big
    printf 'abc' >small
    start_script "[{\"status\": 200, \"body_file\": \"$PWD/big\"}]"
    mkfifo slow
    { sleep 2; cat; } <slow >out &
    local reader=$!
    run_h2get_time --duplex -T small "$SCRIPT_URL/h1" </dev/null >slow
    wait "$reader"
    assert_status 0
    cmp -s big out || fail "body differs: $(stat -c %s out) bytes" "$(cat "$STDERR")"
}

@test "--duplex: the server resets the stream mid-way: 92, and how much input was sent" {
    start_peer rst_mid
    run_h2get "${PEER_ARGS[@]}" --duplex -T - "$PEER_URL/rst" < <(printf 'abcdefghijkl'; sleep 8)
    assert_status 92
    assert_error_line 92 'server sent RST_STREAM\(CANCEL\) on stream 1; 12 input bytes were sent, without END_STREAM$'
    assert_stdout_is $'ready\n'
}

@test "--duplex: the response ends before the input: exit 0, the input left unread is said" {
    start_peer early_end
    run_h2get "${PEER_ARGS[@]}" --duplex -T - "$PEER_URL/early" < <(printf 'abcdefg'; sleep 8)
    assert_status 0
    assert_stdout_is $'done early\n'
    assert_stderr 'warning: the response ended before the input: 7 input bytes were sent, the rest was not read'
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=CANCEL$'
}

@test "--duplex --data-binary @-: a streamed POST, each read its own DATA frame" {
    start_peer upload_times
    run_h2get "${PEER_ARGS[@]}" --duplex --data-binary @- "$PEER_URL/post" < <(slow_input)
    assert_status 0
    assert_peer_log '^c1 request stream=1 method=POST path=/post '
    assert_peer_log '^c1 recv field stream=1 content-type: application/x-www-form-urlencoded$'
    [ "$(grep -c '^c1 note data at=.* len=37$' "$PEER_LOG")" = 2 ] ||
        fail "expected two 37-byte DATA frames" "$(grep 'note data' "$PEER_LOG")"
}

@test "--duplex: usage errors (no streamed body, several URLs, other data)" {
    run_h2get --duplex https://localhost:1/
    assert_status 2
    assert_stderr "'--duplex' needs '--upload-file FILE', '-T -' or '--data-binary @-'"
    run_h2get --duplex -T - https://localhost:1/a https://localhost:1/b </dev/null
    assert_status 2
    assert_stderr "'--duplex' takes one URL"
    run_h2get --duplex -d x --data-binary @- https://localhost:1/ </dev/null
    assert_status 2
    assert_stderr "'--duplex' streams '--data-binary @-' alone: no other data"
}

# --- trailers --------------------------------------------------------------------------

@test "--trailer: request trailers as a final HEADERS with END_STREAM, te: trailers" {
    start_peer trailers_echo
    run_h2get "${PEER_ARGS[@]}" --trailer 'X-Check: 42' --trailer 'x-other: b' -T - \
        "$PEER_URL/t" < <(printf hello)
    assert_status 0
    assert_peer_log '^c1 recv field stream=1 te: trailers$'
    assert_peer_log '^c1 recv HEADERS stream=1 flags=END_HEADERS\|END_STREAM len=[0-9]+$'
    assert_peer_log '^c1 recv field stream=1 x-check: 42$'
    assert_peer_log '^c1 recv field stream=1 x-other: b$'
    assert_peer_log '^c1 recv trailers stream=1$'
    assert_peer_log '^c1 request-end stream=1 bytes=5 '
    refute_peer_log 'recv DATA stream=1 flags=END_STREAM'
}

@test "response trailers: after the body with -i, in -D, with -v, as %{trailer{name}} and %{trailer_json}" {
    start_peer trailers_echo
    run_h2get "${PEER_ARGS[@]}" -i -v -D hdrs -T - -w '[%{trailer{grpc-status}}] %{trailer_json}\n' \
        "$PEER_URL/t" < <(printf hello)
    assert_status 0
    assert_stdout_is $'HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n5\ngrpc-status: 0\r\nx-sum: 2cf24dba5fb0a30e\r\n\r\n[0] {"grpc-status":["0"],"x-sum":["2cf24dba5fb0a30e"]}\n'
    [ "$(cat hdrs)" = $'HTTP/2 200\r\ncontent-type: text/plain\r\n\r\ngrpc-status: 0\r\nx-sum: 2cf24dba5fb0a30e\r\n\r' ] ||
        fail "-D file: $(od -c hdrs | head)"
    assert_stderr '^\* trailers of stream 1 after 2 body bytes:$'
    [ "$(grep -A2 '^\* trailers of stream 1' "$STDERR" | tail -2)" = $'< grpc-status: 0\n< x-sum: 2cf24dba5fb0a30e' ] ||
        fail "-v trailers" "$(cat "$STDERR")"
}

@test "--trailer: refused when it is a pseudo-header, a forbidden field, or there is no body" {
    run_h2get --trailer ':path: /x' -T - https://localhost:1/ </dev/null
    assert_status 2
    assert_stderr "refusing trailer ':path: /x': no pseudo-headers in trailers \\(RFC 9113 §8.1\\)"
    run_h2get --trailer 'Content-Length: 5' -T - https://localhost:1/ </dev/null
    assert_status 2
    assert_stderr "refusing trailer 'Content-Length': a field not allowed in trailers \\(RFC 9110 §6.5.1\\)"
    run_h2get --trailer 'x: 1' https://localhost:1/
    assert_status 2
    assert_stderr "'--trailer' needs a request body"
}

@test "response trailers with a forbidden field: 92, the field named, RST_STREAM(PROTOCOL_ERROR)" {
    start_peer trailers_forbidden
    run_h2get "${PEER_ARGS[@]}" "$PEER_URL/t"
    assert_status 92
    assert_error_line 92 "a field not allowed in trailers \(RFC 9110 §6.5.1\): field 'content-length' on stream 1; we sent RST_STREAM\(PROTOCOL_ERROR\)"
    peer_wait_end
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=PROTOCOL_ERROR$'
}

@test "--trailer over HTTP/1.1: a chunked body whose last chunk carries the trailers" {
    local pf="$BATS_TEST_TMPDIR/h1.port" log="$BATS_TEST_TMPDIR/h1.log"
    "$E2E_PY" -B "$E2E_DIR/peers/h1chunked.py" "$pf" "$log" $((E2E_TIMEOUT + 15)) \
        >"$BATS_TEST_TMPDIR/h1.out" 2>&1 3>&- &
    track $!
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    printf 'hello' >body
    run_h2get --trailer 'X-Check: 42' -T body "http://127.0.0.1:$(cat "$pf")/t"
    assert_status 0
    assert_stdout_is $'ok\n'
    # the known length gives way to chunked framing: trailers have no other place
    grep -qx 'Transfer-Encoding: chunked' "$log" || fail "no chunked framing" "$(cat "$log")"
    ! grep -qi '^content-length' "$log" || fail "content-length sent" "$(cat "$log")"
    grep -qx 'te: trailers' "$log" || fail "no te: trailers" "$(cat "$log")"
    [ "$(sed -n '/^5$/,$p' "$log")" = $'5\nhello\n0\nx-check: 42' ] ||
        fail "body and trailer section" "$(cat "$log")"
}

@test "--duplex as a tunnel: HTTP/1.1 to a TCP server through one HTTP/2 POST stream" {
    start_script '[{"status": 200, "body": "through the tunnel\n"}]'
    start_peer bridge
    run_h2get "${PEER_ARGS[@]}" --duplex -T - "$PEER_URL/bridge/$SCRIPT_PORT" \
        < <(printf 'GET /t HTTP/1.1\r\nHost: x\r\n\r\n')
    assert_status 0
    [ "$(head -1 "$STDOUT")" = $'HTTP/1.1 200 Scripted\r' ] || fail "stdout: $(cat "$STDOUT")"
    [ "$(tail -1 "$STDOUT")" = 'through the tunnel' ] || fail "stdout: $(cat "$STDOUT")"
    grep -q '^req 1 t=[0-9.]* GET /t$' "$SCRIPT_LOG" || fail "backend log: $(cat "$SCRIPT_LOG")"
    assert_peer_log '^c1 note bridge closed: 28 bytes up, [0-9]+ down$'
}

@test "--duplex: a WINDOW_UPDATE that never comes: sending stops at the window, the stall timeout ends it (28)" {
    start_peer window_stuck
    run_h2get "${PEER_ARGS[@]}" --stall-timeout 1 --duplex -T - "$PEER_URL/stuck" \
        < <(head -c 200000 /dev/zero; sleep 8)
    assert_status 28
    assert_error_line 28 'no progress for 1000 ms \(stall timeout\); 65535 input bytes were sent, without END_STREAM$'
    assert_stdout_is $'ready\n'
    assert_peer_log '^c1 note window held at 65535 bytes$'
}
