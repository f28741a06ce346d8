#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Request bodies: a 20 MiB upload arrives byte-exact at nghttpd (--echo-upload sends it
# back), at nginx (WebDAV PUT, fetched back over $(e2e_proto)) and at the scripted peer,
# which hashes what it received and polices flow control (RFC 9113 §6.9): with 64 KiB
# windows credited by WINDOW_UPDATE, and with INITIAL_WINDOW_SIZE lowered (the window goes
# negative) and raised mid-upload (§6.9.2). A -T file goes in full frames, and what h2get
# does per window is only the socket and the file (strace); credit that comes late is
# waited for asleep, not polled for. Also stdin uploads, empty bodies, and exit 26.

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    export UPLOAD="$BATS_FILE_TMPDIR/upload-20m" UPLOAD_SMALL="$BATS_FILE_TMPDIR/upload-3m"
    head -c $((20 << 20)) /dev/urandom >"$UPLOAD"
    head -c $((3 << 20)) /dev/urandom >"$UPLOAD_SMALL"
    : >"$BATS_FILE_TMPDIR/empty"
    [ -s "${CA:-}" ] || return 0
    start_nghttpd NGHTTPD_ECHO tls --echo-upload
    start_nghttpd NGHTTPD_ECHO_H2C h2c --echo-upload
    start_nginx
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

@test "20 MiB --data-binary @file to nghttpd --echo-upload comes back byte-exact (h2)" {
    proto_only h2
    need_server NGHTTPD_ECHO
    run_h2get --cacert "$CA" --data-binary "@$UPLOAD" -o out "https://localhost:$NGHTTPD_ECHO/echo"
    assert_status 0
    assert_file_sha out "$(file_sha "$UPLOAD")"
}

@test "20 MiB -T file to nghttpd --echo-upload comes back byte-exact (h2c)" {
    proto_only h2c
    need_server NGHTTPD_ECHO_H2C
    run_h2get --http2-prior-knowledge -T "$UPLOAD" -o out "http://localhost:$NGHTTPD_ECHO_H2C/echo"
    assert_status 0
    assert_file_sha out "$(file_sha "$UPLOAD")"
}

@test "20 MiB -T file to nginx (WebDAV PUT) is stored byte-exact and reads back" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -T "$UPLOAD" "$(origin_url "upload/put-$(e2e_proto)")"
    assert_status 0
    assert_file_sha "$E2E_DOCROOT/upload/put-$(e2e_proto)" "$(file_sha "$UPLOAD")"
    run_h2get "${ORIGIN_ARGS[@]}" -o back "$(origin_url "upload/put-$(e2e_proto)")"
    assert_status 0
    assert_file_sha back "$(file_sha "$UPLOAD")"
}

@test "peer: 20 MiB POST through 64 KiB windows arrives whole (sha256 echoed)" {
    start_peer upload_sha256
    run_h2get "${PEER_ARGS[@]}" --data-binary "@$UPLOAD" "$PEER_URL/upload"
    assert_status 0
    assert_stdout_is "$(file_sha "$UPLOAD")"$'\n'
    peer_wait_end
    assert_peer_log '^c1 request stream=1 method=POST path=/upload '
    assert_peer_log "^c1 request-end stream=1 bytes=$((20 << 20)) sha256=$(file_sha "$UPLOAD")\$"
    refute_peer_log 'violation'
}

@test "peer: credit returned 100 bytes at a time is gathered into frames of 4 KiB or more" {
    start_peer credit_drip
    run_h2get "${PEER_ARGS[@]}" --data-binary "@$UPLOAD_SMALL" "$PEER_URL/drip"
    assert_status 0
    assert_stdout_is "$(file_sha "$UPLOAD_SMALL")"$'\n'
    peer_wait_end
    assert_peer_log "^c1 request-end stream=1 bytes=$((3 << 20)) "
    refute_peer_log 'violation'
    # Silly-window avoidance (RFC 1122 §4.2.3.4's sender rule): only the bounded wait
    # (50 ms without enough credit) sends a small frame. Without it: about 21,000 frames,
    # 99% of them of 100 bytes; with it, about 200, a few small ones after a stall.
    local frames small
    frames=$(grep -c '^c1 recv DATA stream=1 ' "$PEER_LOG")
    small=$(grep '^c1 recv DATA stream=1 ' "$PEER_LOG" | grep -v END_STREAM |
        awk '{ sub("len=", "", $NF); if ($NF + 0 < 4096) n++ } END { print n + 0 }')
    [ "$frames" -lt 1000 ] && [ $((small * 4)) -lt "$frames" ] ||
        fail "$small of $frames DATA frames under 4 KiB"
}

@test "peer: -T FILE through 64 KiB windows goes in full frames" {
    start_peer upload_sha256
    run_h2get "${PEER_ARGS[@]}" -T "$UPLOAD_SMALL" "$PEER_URL/upload"
    assert_status 0
    assert_stdout_is "$(file_sha "$UPLOAD_SMALL")"$'\n'
    peer_wait_end
    assert_peer_log "^c1 request-end stream=1 bytes=$((3 << 20)) "
    # 3 MiB is 192 frames of 16,384 bytes; the window of 65,535 cuts one to 16,383 (and
    # so adds one). A file read in 64 KiB pieces sent the end of each piece as a frame of
    # its own, 1 to 48 bytes: 240 frames, 94 of them short.
    local frames short
    frames=$(grep -c '^c1 recv DATA stream=1 ' "$PEER_LOG")
    short=$(grep '^c1 recv DATA stream=1 ' "$PEER_LOG" | grep -v END_STREAM |
        awk '{ sub("len=", "", $NF); if ($NF + 0 < 16383) n++ } END { print n + 0 }')
    [ "$short" = 0 ] && [ "$frames" -le 194 ] ||
        fail "$short of $frames DATA frames under 16,383 bytes"
}

@test "-T FILE over TLS: per window, the socket and the file only, and full records" {
    proto_only h2
    need_server NGHTTPD_ECHO
    need_cmd strace
    local trace="$BATS_TEST_TMPDIR/strace" fd sig late short end
    # (LeakSanitizer cannot run under ptrace, in a sanitized run)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=openat,pipe,pipe2,read,poll,sendto,recvfrom -o "$trace" "$H2GET" \
        --cacert "$CA" -T "$UPLOAD_SMALL" -o out "https://localhost:$NGHTTPD_ECHO/echo" ||
        fail "h2get failed under strace"
    assert_file_sha out "$(file_sha "$UPLOAD_SMALL")"
    fd=$(sed -n 's/.*openat(.*"[^"]*upload-3m".* = \([0-9][0-9]*\)$/\1/p' "$trace")
    [ -n "$fd" ] || fail "the upload file was not opened" "$(grep openat "$trace")"
    # A regular file is never polled: reading it never waits.
    ! grep -q "poll(\[{fd=$fd," "$trace" || fail "the upload file was polled"
    # The signal pipe is read only after a signal, not once per turn of the loop.
    sig=$(sed -n 's/.*pipe2\{0,1\}(\[\([0-9][0-9]*\), [0-9]*\].* = 0$/\1/p' "$trace" | head -n 1)
    [ -n "$sig" ] || fail "no signal pipe" "$(grep pipe "$trace")"
    ! grep -q "read($sig," "$trace" ||
        fail "the signal pipe was read $(grep -c "read($sig," "$trace") times"
    # nghttpd returns credit a window (64 KiB) at a time: the file is read ahead while
    # h2get waits for it, and the first record goes out before the rest is made, so no
    # read stands between credit coming and DATA going (one is allowed: the first, after
    # the server's SETTINGS).
    late=$(awk -v fd="$fd" '/recvfrom\(.* = [1-9]/ { got = 1 } /sendto\(/ { got = 0 }
        got && index($0, "read(" fd ",") { n++ } END { print n + 0 }' "$trace")
    [ "$late" -le 1 ] || fail "$late reads of the file between credit and sending"
    # Whole TLS records (16,406 bytes with TLS 1.3's overhead) while the body goes: about
    # one short one per window of 64 KiB (its tail), never a frame's header as a record of
    # its own after each frame (which would be 192 more).
    end=$(grep -n 'sendto(.*= 16406$' "$trace" | tail -n 1 | cut -d: -f1)
    short=$(head -n "${end:-0}" "$trace" | grep 'sendto(' | grep -vc '= 16406$')
    [ "$short" -le $(((3 << 20) / 65535 + 10)) ] || fail "$short short records in the body"
}

@test "peer: credit that comes 5 ms late is waited for asleep, not polled for" {
    need_cmd strace
    start_peer credit_slow
    local up="$BATS_TEST_TMPDIR/up-1m" trace="$BATS_TEST_TMPDIR/strace" spins yields
    head -c $((1 << 20)) "$UPLOAD_SMALL" >"$up"
    # (LeakSanitizer cannot run under ptrace, in a sanitized run)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=poll,sched_yield -o "$trace" "$H2GET" "${PEER_ARGS[@]}" \
        -T "$up" -o out "$PEER_URL/upload" || fail "h2get failed under strace"
    [ "$(cat out)" = "$(file_sha "$up")" ] || fail "the peer got other bytes: $(cat out)"
    peer_wait_end
    assert_peer_log "^c1 request-end stream=1 bytes=$((1 << 20)) "
    # The first wait for credit may be polled for without sleeping (200 µs at most,
    # yielding the CPU between polls): it took longer, so each of the other 60 or so waits
    # sleeps in poll() at once. Polling for each would be 5 to 10 polls per wait (strace).
    spins=$(grep -c 'poll(.*, 0)' "$trace" || true)
    yields=$(grep -c 'sched_yield(' "$trace" || true)
    [ "$spins" -le 20 ] || fail "$spins polls without sleeping, $yields yields"
}

@test "peer: INITIAL_WINDOW_SIZE lowered (window negative) and raised mid-upload" {
    start_peer window_change
    run_h2get "${PEER_ARGS[@]}" -i --data-binary "@$UPLOAD_SMALL" "$PEER_URL/window"
    assert_status 0
    split_head "$STDOUT" head body
    assert_field head x-received-sha256 "$(file_sha "$UPLOAD_SMALL")"
    assert_field head x-received-bytes "$((3 << 20))"
    peer_wait_end
    # The scenario really happened: exhausted at 65535, lowered by 49151, then credited.
    assert_peer_log '^c1 note window exhausted after 65535 bytes'
    assert_peer_log '^c1 note stream window now -49151$'
    assert_peer_log '^c1 note stream window now -16383: client must not send$'
    assert_peer_log '^c1 send SETTINGS stream=0 flags=- INITIAL_WINDOW_SIZE=1048576$'
    # Every SETTINGS was acknowledged (the first, the lowering and the raise) ...
    [ "$(grep -c '^c1 recv SETTINGS stream=0 flags=ACK$' "$PEER_LOG")" = 3 ] ||
        fail "expected 3 SETTINGS ACKs" "$(grep SETTINGS "$PEER_LOG")"
    # ... and no DATA went beyond a window (the peer would have sent FLOW_CONTROL_ERROR).
    refute_peer_log 'violation'
}

@test "peer: -T - sends stdin as it is read, byte-exact" {
    start_peer upload_sha256
    run_h2get "${PEER_ARGS[@]}" -T - "$PEER_URL/stdin" <"$UPLOAD_SMALL"
    assert_status 0
    assert_stdout_is "$(file_sha "$UPLOAD_SMALL")"$'\n'
    peer_wait_end
    assert_peer_log '^c1 request stream=1 method=PUT path=/stdin '
}

@test "-T - with several URLs (or --repeat) is a usage error before connecting: stdin is read once" {
    start_peer upload_sha256
    run_h2get "${PEER_ARGS[@]}" -T - "$PEER_URL/a" "$PEER_URL/b" <"$UPLOAD_SMALL"
    assert_status 2
    [ "$(head -1 "$STDERR")" = "h2get: (2) usage error: '--upload-file -' reads stdin once, so it takes one URL, not 2" ] ||
        fail "error line" "$(h2get_context)"
    assert_stdout_is ''
    run_h2get "${PEER_ARGS[@]}" --repeat 2 -T - "$PEER_URL/a" <"$UPLOAD_SMALL"
    assert_status 2
    assert_error_line 2 'reads stdin once, so it takes one URL, not 2'
    refute_peer_log 'request stream='
}

@test "peer: an empty request body ends the stream with zero DATA bytes" {
    start_peer upload_sha256
    run_h2get "${PEER_ARGS[@]}" --data-binary "@$BATS_FILE_TMPDIR/empty" "$PEER_URL/empty"
    assert_status 0
    assert_stdout_is "$(file_sha "$BATS_FILE_TMPDIR/empty")"$'\n'
    peer_wait_end
    assert_peer_log '^c1 request stream=1 method=POST path=/empty '
    assert_peer_log '^c1 request-end stream=1 bytes=0 '
}

@test "an upload source that cannot be read: exit 26, nothing sent" {
    start_peer upload_sha256
    run_h2get "${PEER_ARGS[@]}" -T "$BATS_TEST_TMPDIR/no-such-file" "$PEER_URL/missing"
    assert_status 26
    assert_error_line 26 'no-such-file'
    refute_peer_log 'request stream='
}
