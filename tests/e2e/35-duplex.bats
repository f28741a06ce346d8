#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Streaming request bodies (issue 11): -T - sends the request headers at once and each read
# of stdin as one DATA frame as it arrives (the scripted peer logs when each frame came),
# -m holds while stdin is quiet, and --frames stamps frames when they were written.
# --duplex: the response is written while the request is still being sent (the handshake
# where the server speaks first), echo of 64 MiB byte-exact, a reset mid-stream; trailers.

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
