#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A hostile server (peers/h2peer.py, one scenario per test) against the promises of
# PROMISES.md: each misbehaviour gives its exit code (16 connection error, 92 stream error,
# 18 partial, 28 timeout, 52 empty reply, 120 limits), one "h2get: (<code>) ..." line that
# names the HTTP/2 error code and who sent it, and the right frames on the wire, read back
# from the peer's log (RST_STREAM vs GOAWAY and their codes, PING ACK, SETTINGS). Runs over
# TLS by default and over h2c with E2E_PROTO=h2c.

load helpers

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

BODY_OK='hello from h2peer
'

# peer_fetch SCENARIO [h2get options...]: start the peer, fetch "/" from it, and wait until
# the peer has seen the connection end.
peer_fetch() {
    local scenario=$1
    shift
    start_peer "$scenario"
    run_h2get "${PEER_ARGS[@]}" "$@" "$PEER_URL/"
    peer_wait_end
}

# refute_error_goaway: the client did not end the connection with an error code.
refute_error_goaway() {
    refute_peer_log 'recv GOAWAY .* code=([^N]|N[^O])'
}

@test "ok: 200, exact body; the client's preface, SETTINGS, ACK and final GOAWAY(NO_ERROR)" {
    peer_fetch ok
    assert_status 0
    assert_stdout_is "$BODY_OK"
    refute_stderr '^h2get: '
    # RFC 9113 §3.4: the preface, then SETTINGS as the first frame; §8.4: ENABLE_PUSH=0.
    local first
    first=$(grep '^c1 recv ' "$PEER_LOG" | sed -n 2p)
    [[ $first == "c1 recv SETTINGS stream=0 flags=- "*ENABLE_PUSH=0* ]] ||
        fail "first frame after the preface is not SETTINGS with ENABLE_PUSH=0: $first"
    assert_peer_log '^c1 recv PREFACE$'
    assert_peer_log '^c1 recv SETTINGS stream=0 flags=ACK$'
    local authority="localhost:$PEER_PORT"
    assert_peer_log "^c1 request stream=1 method=GET path=/ scheme=https? authority=$authority\$"
    assert_peer_log '^c1 recv HEADERS stream=1 flags=END_HEADERS\|END_STREAM '
    # §6.8: a clean shutdown; no server-initiated stream was processed.
    assert_peer_log '^c1 recv GOAWAY stream=0 flags=- last_stream_id=0 code=NO_ERROR '
    refute_peer_log 'violation'
}

@test "ok: several URLs share one connection as concurrent streams 1, 3, 5" {
    start_peer ok
    run_h2get "${PEER_ARGS[@]}" -o a "$PEER_URL/a" -o b "$PEER_URL/b" -o c "$PEER_URL/c"
    peer_wait_end
    assert_status 0
    for f in a b c; do
        [ "$(cat "$f")" = "hello from h2peer" ] || fail "body of $f differs"
    done
    [ "$(peer_conns)" = 1 ] || fail "expected one connection, got $(peer_conns)"
    assert_peer_log '^c1 request stream=1 method=GET path=/a '
    assert_peer_log '^c1 request stream=3 method=GET path=/b '
    assert_peer_log '^c1 request stream=5 method=GET path=/c '
}

@test "rst_stream: the server's RST_STREAM(INTERNAL_ERROR) is exit 92, named, not answered" {
    peer_fetch rst_stream -o out
    assert_status 92
    assert_error_line 92 'INTERNAL_ERROR' 'server' 'stream[ =#]*1([^0-9]|$)'
    assert_no_file out
    # RFC 9113 §5.4.2: never RST_STREAM in reply to RST_STREAM.
    refute_peer_log '^c1 recv RST_STREAM stream=1 '
    refute_error_goaway
}

@test "goaway: GOAWAY(PROTOCOL_ERROR, last 0, 'bye\\x01') is exit 16 with escaped debug data" {
    peer_fetch goaway --no-goaway-retry --no-progress-meter -o out
    assert_status 16
    assert_error_line 16 'PROTOCOL_ERROR' 'server' 'last[-_ ]stream([-_ ]id)?[ =:]*0([^0-9]|$)' \
        'bye\\x01'
    assert_no_control_bytes
    assert_no_file out
    [ "$(peer_conns)" = 1 ] || fail "--no-goaway-retry, yet $(peer_conns) connections"
}

@test "goaway: the unprocessed request is replayed a bounded number of times, then 16" {
    peer_fetch goaway -o out
    assert_status 16
    assert_error_line 16 'PROTOCOL_ERROR'
    local n
    n=$(peer_conns)
    [ "$n" -ge 2 ] && [ "$n" -le 6 ] || fail "expected 1 + (1..5) retries, got $n connections"
    assert_no_file out
}

@test "goaway_after_headers: GOAWAY(INTERNAL_ERROR, last 1) ends the stream: exit 16" {
    peer_fetch goaway_after_headers -o out
    assert_status 16
    assert_error_line 16 'INTERNAL_ERROR' 'server' 'last[-_ ]stream([-_ ]id)?[ =:]*1([^0-9]|$)' \
        'shutting down'
    assert_no_file out
    [ "$(peer_conns)" = 1 ] || fail "a processed stream (<= last_stream_id) was retried"
}

@test "goaway_graceful: GOAWAY(NO_ERROR, last 1) lets stream 1 finish: exit 0" {
    peer_fetch goaway_graceful -o out
    assert_status 0
    [ "$(cat out)" = "hello from h2peer" ] || fail "body differs"
    refute_error_goaway
}

@test "goaway_then_ping: SETTINGS and PING after the server's GOAWAY are answered, exit 0" {
    peer_fetch goaway_then_ping -o out
    assert_status 0
    [ "$(cat out)" = "hello from h2peer" ] || fail "body differs"
    assert_peer_log '^c1 recv PING stream=0 flags=ACK opaque=6c61746521212121$'
    [ "$(grep -c '^c1 recv SETTINGS stream=0 flags=ACK' "$PEER_LOG")" = 2 ] ||
        fail "the SETTINGS after GOAWAY were not acknowledged" "$(grep recv "$PEER_LOG")"
    refute_error_goaway
}

@test "bad_status (:status 2000): RST_STREAM(PROTOCOL_ERROR), exit 92 naming :status" {
    peer_fetch bad_status -o out
    assert_status 92
    assert_error_line 92 'PROTOCOL_ERROR' ':status'
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=PROTOCOL_ERROR$'
    refute_error_goaway
    assert_no_file out
}

@test "missing_status: RST_STREAM(PROTOCOL_ERROR), exit 92 naming :status" {
    peer_fetch missing_status
    assert_status 92
    assert_error_line 92 'PROTOCOL_ERROR' ':status'
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=PROTOCOL_ERROR$'
    refute_error_goaway
}

@test "uppercase_header: RST_STREAM(PROTOCOL_ERROR), exit 92 naming the field" {
    peer_fetch uppercase_header
    assert_status 92
    assert_error_line 92 'PROTOCOL_ERROR' 'x-upper'
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=PROTOCOL_ERROR$'
    refute_error_goaway
}

@test "cl_mismatch (content-length 10, 5 bytes): exit 92 naming content-length, no file" {
    peer_fetch cl_mismatch -o out
    assert_status 92
    assert_error_line 92 'content-length'
    assert_no_file out
    assert_dir_entries . 0
    refute_error_goaway
}

@test "cl_exceeded (content-length 5, 10 bytes): RST_STREAM(PROTOCOL_ERROR), exit 92" {
    peer_fetch cl_exceeded -o out
    assert_status 92
    assert_error_line 92 'content-length'
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=PROTOCOL_ERROR$'
    assert_no_file out
}

@test "trailers: body exact, trailers shown after it with -i" {
    peer_fetch trailers
    assert_status 0
    assert_stdout_is "$BODY_OK"
    run_h2get "${PEER_ARGS[@]}" -i "$PEER_URL/" # each connection gets the scenario again
    assert_status 0
    split_head "$STDOUT" head rest
    assert_status_line head 200
    [ "$(head -c ${#BODY_OK} rest)" = "${BODY_OK%$'\n'}" ] || fail "the body does not come first"
    tail -c +$((${#BODY_OK} + 1)) rest | tr -d '\r' | grep -qx 'grpc-status: 0' ||
        fail "no trailer after the body:" "$(cat rest)"
}

@test "informational: 103 then 200: exit 0, the final response's body" {
    peer_fetch informational -o out
    assert_status 0
    [ "$(cat out)" = "hello from h2peer" ] || fail "body differs"
}

@test "too_many_1xx (33 x 103): exit 120, RST_STREAM(ENHANCE_YOUR_CALM)" {
    peer_fetch too_many_1xx -o out
    assert_status 120
    assert_error_line 120 '1xx|informational'
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=ENHANCE_YOUR_CALM$'
    assert_no_file out
}

@test "big_headers: 100 KiB over HEADERS + 6 CONTINUATION is accepted (-D shows it)" {
    peer_fetch big_headers -D hdrs -o out
    assert_status 0
    [ "$(cat out)" = "hello from h2peer" ] || fail "body differs"
    assert_peer_log '^c1 send CONTINUATION stream=1 flags=END_HEADERS '
    [ "$(tr -d '\r' <hdrs | grep -c '^x-big-[0-9][0-9]: [a-z]\{4096\}$')" = 25 ] ||
        fail "expected 25 x-big-NN fields of 4096 letters in -D output"
    assert_field hdrs x-big-24 "$(printf 'y%.0s' $(seq 4096))"
}

@test "huge_headers: 320 KiB of fields is over the limit: exit 120, GOAWAY(ENHANCE_YOUR_CALM)" {
    peer_fetch huge_headers -o out
    assert_status 120
    assert_error_line 120 'header'
    assert_peer_log '^c1 recv GOAWAY .* code=ENHANCE_YOUR_CALM '
    assert_no_file out
}

@test "continuation_flood: 40 CONTINUATION frames: exit 120, GOAWAY(ENHANCE_YOUR_CALM)" {
    peer_fetch continuation_flood -o out
    assert_status 120
    assert_error_line 120 'CONTINUATION'
    assert_peer_log '^c1 recv GOAWAY .* code=ENHANCE_YOUR_CALM '
    assert_no_file out
}

@test "window_overflow: WINDOW_UPDATE past 2^31-1: GOAWAY(FLOW_CONTROL_ERROR), exit 16" {
    peer_fetch window_overflow -o out
    assert_status 16
    assert_error_line 16 'FLOW_CONTROL_ERROR'
    assert_peer_log '^c1 recv GOAWAY .* code=FLOW_CONTROL_ERROR '
    assert_no_file out
}

@test "stall: headers, then nothing: -m 2 gives exit 28 within a few seconds" {
    local t0 t1
    t0=$(date +%s)
    peer_fetch stall -m 2 -o out
    t1=$(date +%s)
    assert_status 28
    assert_error_line 28 'time'
    [ $((t1 - t0)) -le 8 ] || fail "took $((t1 - t0)) s for -m 2"
    assert_no_file out
}

@test "close_mid_body with -o: exit 18, no file and no temporary left behind" {
    peer_fetch close_mid_body -o out
    assert_status 18
    assert_error_line 18
    assert_no_file out
    assert_dir_entries . 0
}

@test "close_mid_body to stdout: exit 18, the 500 bytes written, and says so" {
    peer_fetch close_mid_body
    assert_status 18
    [ "$(wc -c <"$STDOUT")" = 500 ] || fail "stdout holds $(wc -c <"$STDOUT") bytes, not 500"
    assert_error_line 18 '500'
}

@test "push_promise although ENABLE_PUSH=0: GOAWAY(PROTOCOL_ERROR), exit 16" {
    peer_fetch push_promise -o out
    assert_status 16
    assert_error_line 16 'PROTOCOL_ERROR' 'PUSH_PROMISE'
    assert_peer_log '^c1 recv GOAWAY .* code=PROTOCOL_ERROR '
    assert_no_file out
}

@test "ping_after_end: the PING that follows the response is ACKed before GOAWAY" {
    peer_fetch ping_after_end
    assert_status 0
    assert_stdout_is "$BODY_OK"
    local ack goaway
    # the peer's opaque data is "h2peer!!"
    ack=$(peer_line_no '^c1 recv PING stream=0 flags=ACK opaque=6832706565722121$')
    goaway=$(peer_line_no '^c1 recv GOAWAY ')
    [ "$ack" -gt 0 ] || fail "no PING ACK" "$(grep recv "$PEER_LOG")"
    [ "$goaway" -gt 0 ] || fail "no GOAWAY" "$(grep recv "$PEER_LOG")"
    [ "$ack" -lt "$goaway" ] || fail "PING ACK came after GOAWAY"
}

@test "ping_after_close: SETTINGS and PINGs written after the response and after our GOAWAY are answered (20 runs)" {
    local i n=20 pings settings
    start_peer ping_after_close --max-conns "$n"
    for i in $(seq "$n"); do
        run_h2get "${PEER_ARGS[@]}" "$PEER_URL/"
        assert_status 0
        assert_stdout_is "$BODY_OK"
        peer_wait_end "$i"
    done
    # per connection: an ACK of each PING ("late!!!!", "goaway!!") and of both SETTINGS
    pings=$(grep -Ec '^c[0-9]+ recv PING stream=0 flags=ACK opaque=(6c61746521212121|676f617761792121)$' "$PEER_LOG")
    settings=$(grep -c '^c[0-9]* recv SETTINGS stream=0 flags=ACK' "$PEER_LOG")
    [ "$pings" = $((2 * n)) ] && [ "$settings" = $((2 * n)) ] ||
        fail "$pings PING ACKs and $settings SETTINGS ACKs in $n runs" "$(grep -E 'recv|end' "$PEER_LOG")"
    [ "$(grep -c '^c[0-9]* recv GOAWAY .* code=NO_ERROR' "$PEER_LOG")" = "$n" ] ||
        fail "not one GOAWAY(NO_ERROR) per run" "$(grep -E 'recv|end' "$PEER_LOG")"
}

@test "http_1_1_required: retried once over HTTP/1.1 on a new connection: exit 0" {
    peer_fetch http_1_1_required -o out
    peer_wait_end 2
    assert_status 0
    [ "$(cat out)" = "hello over HTTP/1.1" ] || fail "body differs: $(cat out)"
    assert_peer_log '^c1 send RST_STREAM stream=1 flags=- code=HTTP_1_1_REQUIRED$'
    assert_peer_log '^c2 h1 request GET / HTTP/1\.1$'
    if [ "$(peer_mode)" = tls ]; then
        assert_peer_log '^c2 tls .* alpn=http/1\.1 '
    fi
    [ "$(peer_conns)" = 2 ] || fail "expected 2 connections, got $(peer_conns)"
}

@test "empty_reply: connection closed before any byte: exit 52" {
    peer_fetch empty_reply -o out
    assert_status 52
    assert_error_line 52 'empty'
    assert_no_file out
}

@test "empty_reply and --rate: no connection is opened for a request that must wait" {
    start_peer empty_reply --max-conns 20
    run_h2get "${PEER_ARGS[@]}" --rate 60/m "$PEER_URL/a" "$PEER_URL/b"
    assert_status 52
    [ "$(grep -c '^h2get: (52) empty reply from server: .*: server closed the connection without a response$' "$STDERR")" = 2 ] ||
        fail "expected both URLs to fail with 52" "$(h2get_context)"
    # one connection per request: none opened early to sit waiting for the token (a server
    # that closes it at once would have had it reopened again and again)
    [ "$(peer_conns)" = 2 ] || fail "$(peer_conns) connections"
}

@test "empty_reply, 300 URLs: each connection's streams fail (52), the rest move on, no loop" {
    local i urls=()
    start_peer empty_reply --max-conns 3
    for i in $(seq 300); do
        urls+=("$PEER_URL/u$i")
    done
    run_h2get "${PEER_ARGS[@]}" --parallel-max 10 "${urls[@]}"
    assert_status 52
    [ "$(grep -c '^h2get: (52) empty reply from server: .*: server closed the connection without a response$' "$STDERR")" = 30 ] ||
        fail "expected 30 URLs (10 on each of 3 connections) to fail with 52" "$(h2get_context)"
    # the peer accepts no 4th connection: the last 270 cannot connect
    [ "$(grep -c '^h2get: (' "$STDERR")" = 300 ] || fail "expected 300 error lines" "$(h2get_context)"
    [ "$(peer_conns)" = 3 ] || fail "$(peer_conns) connections"
}
