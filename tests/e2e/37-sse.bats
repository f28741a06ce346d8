#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --sse and --sse-json (issue 11) against a scripted HTTP/1.1 event-stream peer
# (peers/ssepeer.py): events written as they arrive, the WHATWG line rules, the JSON form,
# reconnection with last-event-id after the server's retry: delay, and a response that is
# not an event stream.

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

# start_sse JSON: the peer answering from script JSON (see ssepeer.py); sets SSE_URL and
# SSE_LOG.
start_sse() {
    start_json_peer sse ssepeer.py "$1" || return 1
    SSE_LOG="$BATS_TEST_TMPDIR/sse.log"
    SSE_URL="http://127.0.0.1:$JSON_PEER_PORT/events"
}

# requests: how many requests the peer got.
requests() {
    grep -c '^req ' "$SSE_LOG" 2>/dev/null || echo 0
}

@test "sse: each event is written as it arrives, before the stream ends" {
    local gate="$BATS_TEST_TMPDIR/gate"
    start_sse "[{\"parts\": [\"data: one\\n\\n\", {\"gate\": \"$gate\"}, \"data: two\\n\\n\"]}]"
    run_h2get_bg --sse "$SSE_URL"
    for _ in $(seq 100); do
        grep -q 'data: one' "$STDOUT" && break
        sleep 0.1
    done
    # the peer holds the rest of the stream until the gate opens
    [ "$(cat "$STDOUT")" = "data: one" ] || fail "event one not written while the stream is open" \
        "$(od -c "$STDOUT" | head -5)"
    kill -0 "$H2GET_PID" || fail "h2get ended before the stream did"
    touch "$gate"
    wait_h2get
    assert_status 0
    assert_stdout_is $'data: one\n\ndata: two\n\n'
    grep -q '^hdr 1 accept: text/event-stream$' "$SSE_LOG" || fail "no accept" "$(cat "$SSE_LOG")"
    grep -q '^hdr 1 cache-control: no-cache$' "$SSE_LOG" || fail "no cache-control" "$(cat "$SSE_LOG")"
    ! grep -q '^hdr 1 last-event-id' "$SSE_LOG" || fail "last-event-id on a first request"
}

@test "sse: multi-line data, comments, CRLF and CR line ends, a BOM, split lines" {
    start_sse '[{"parts": ["\u00ef\u00bb\u00bf: comment\r\nevent: up", "date\r\nid: 7\r\ndata: a\r", "\ndata:  b\rdata\r\r", ":x\n\nretry: 10\nfoo: bar\ndata: c\n\n", "data: never"]}]'
    run_h2get --sse "$SSE_URL"
    assert_status 0
    assert_stdout_is $'event: update\nid: 7\ndata: a\ndata:  b\ndata:\n\ndata: c\n\n'
    [ "$(requests)" = 1 ] || fail "reconnected without --retry"
}

@test "sse-json: one JSON object per event and line" {
    start_sse '[{"parts": ["event: tick\nid: 1\ndata: x\ndata: \"q\"\n\n", "data: y\n\n", "id: 2\nevent: e\ndata: z\n\n", "data: caf\u00c3\u00a9 \u00ff\n\n"]}]'
    run_h2get --sse-json "$SSE_URL"
    assert_status 0
    # UTF-8 text as characters, a byte that is not UTF-8 as U+FFFD
    assert_stdout_is '{"event":"tick","id":"1","data":"x\u000a\"q\""}
{"event":"message","id":"1","data":"y"}
{"event":"e","id":"2","data":"z"}
{"event":"message","id":"2","data":"caf\u00e9 \ufffd"}
'
}

@test "sse: reconnects with last-event-id after the server drops the stream, after retry:" {
    start_sse '[{"parts": ["retry: 400\nid: 41\ndata: a\n\nid: 42\ndata: b\n\ndata: lost"], "end": "drop"},
                {"parts": ["data: c\n\n"]}]'
    run_h2get --sse --retry 1 "$SSE_URL"
    assert_status 0
    assert_stdout_is $'id: 41\ndata: a\n\nid: 42\ndata: b\n\ndata: c\n\n'
    [ "$(requests)" = 2 ] || fail "expected 2 requests" "$(cat "$SSE_LOG")"
    grep -q '^hdr 2 last-event-id: 42$' "$SSE_LOG" || fail "no last-event-id: 42" "$(cat "$SSE_LOG")"
    assert_stderr 'event stream broke.*will retry in 0\.400 s, 1 retry left'
    # the server's retry: 400 ms, not the 3 s default
    awk '/^req /{sub("t=", "", $3); t[$2] = $3} END {d = t[2] - t[1]; exit !(d >= 0.39 && d < 2.5)}' \
        "$SSE_LOG" || fail "the reconnection did not wait 0.4 s" "$(cat "$SSE_LOG")"
}

@test "sse: a clean end reconnects while --retry lasts, then exits 0" {
    start_sse '[{"parts": ["retry: 100\nid: 9\ndata: a\n\n"]}, {"parts": ["data: b\n\n"]}]'
    run_h2get --sse --retry 2 "$SSE_URL"
    assert_status 0
    assert_stdout_is $'id: 9\ndata: a\n\ndata: b\n\ndata: b\n\n'
    [ "$(requests)" = 3 ] || fail "expected 3 requests" "$(cat "$SSE_LOG")"
    grep -q '^hdr 3 last-event-id: 9$' "$SSE_LOG" || fail "the id was not kept" "$(cat "$SSE_LOG")"
}

@test "sse: a broken stream without --retry fails as a receive failure" {
    start_sse '[{"parts": ["data: a\n\ndata: half"], "end": "drop"}]'
    run_h2get --sse "$SSE_URL"
    assert_status 18
    assert_stdout_is $'data: a\n\n'
}

@test "sse: -m bounds the wait for a reconnection" {
    start_sse '[{"parts": ["retry: 5000\ndata: a\n\n"]}]'
    run_h2get --sse --retry 3 -m 2 "$SSE_URL"
    assert_status 0
    assert_stdout_is $'data: a\n\n'
    assert_stderr 'not retrying after the event stream ended: the wait would pass --max-time'
    [ "$(requests)" = 1 ] || fail "reconnected past -m" "$(cat "$SSE_LOG")"
}

@test "sse: a response that is not text/event-stream is an error (8), not retried" {
    start_sse '[{"type": "text/plain", "parts": ["data: a\n\n"]}]'
    run_h2get --sse --retry 2 "$SSE_URL"
    assert_status 8
    assert_error_line 8 'not an event stream' 'HTTP 200' 'content-type: text/plain'
    assert_stdout_is ''
    [ "$(requests)" = 1 ] || fail "retried a non-event-stream" "$(cat "$SSE_LOG")"
}

@test "sse: an error status is not an event stream either" {
    start_sse '[{"status": 404, "type": "text/event-stream", "parts": []}]'
    run_h2get --sse "$SSE_URL"
    assert_status 8
    assert_error_line 8 'HTTP 404'
}

@test "sse over HTTP/2: an event is written while its stream stays open" {
    local gate="$BATS_TEST_TMPDIR/gate"
    start_peer sse --gate "$gate"
    run_h2get_bg "${PEER_ARGS[@]}" --sse "$PEER_URL/events"
    for _ in $(seq 100); do
        grep -q 'data: one' "$STDOUT" && break
        sleep 0.1
    done
    [ "$(cat "$STDOUT")" = $'id: 1\ndata: one' ] ||
        fail "event one not written while the stream is open" "$(od -c "$STDOUT" | head -5)"
    kill -0 "$H2GET_PID" || fail "h2get ended before the stream did"
    touch "$gate"
    wait_h2get
    assert_status 0
    assert_stdout_is $'id: 1\ndata: one\n\ndata: two\n\n'
    assert_peer_log 'accept: text/event-stream'
}

# An event stream quiet for 2.5 s between its two events.
IDLE_SCRIPT='[{"parts": ["data: one\n\n", {"sleep": 2.5}, "data: two\n\n"]}]'

@test "sse: a stall timeout given explicitly ends a quiet event stream (28)" {
    start_sse "$IDLE_SCRIPT"
    SECONDS=0
    run_h2get --sse --stall-timeout 1 "$SSE_URL"
    assert_status 28
    assert_error_line 28 'no progress for 1000 ms \(stall timeout\)'
    assert_stdout_is $'data: one\n\n'
    [ "$SECONDS" -lt 3 ] || fail "the stall timeout fired after ${SECONDS}s"
}

@test "sse: without --stall-timeout, the default does not end a quiet event stream" {
    start_sse "$IDLE_SCRIPT"
    # the default, lowered below the quiet time by a hidden test aid, ends a plain download
    run_h2get --stall-timeout-default 1 "$SSE_URL"
    assert_status 28
    assert_error_line 28 'no progress for 1000 ms \(stall timeout\)'
    # ... and not an event stream: --sse keeps only a stall timeout given explicitly
    run_h2get --sse --stall-timeout-default 1 "$SSE_URL"
    assert_status 0
    assert_stdout_is $'data: one\n\ndata: two\n\n'
    # -m still bounds it
    run_h2get --sse --stall-timeout-default 1 -m 1.5 "$SSE_URL"
    assert_status 28
    assert_error_line 28 'operation timed out after 1500 ms \(--max-time\)'
}
