#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Interrupted runs clean up (PROMISES.md "Partial downloads", issue 12): SIGINT, SIGTERM
# and SIGHUP in the middle of a body remove the temporary file of every unfinished -o (or
# keep FILE.part with --keep-partial), send GOAWAY, and exit 130, 143 and 129 as a shell
# expects. The scripted peer (slow_body) sends half a body and waits for a gate file.

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

# mid_body SIGNAL ARGS...: h2get ARGS against the slow_body peer, SIGNAL once half the
# body has arrived (the temporary file exists), then wait for it.
mid_body() {
    local sig=$1 _
    shift
    start_peer slow_body --gate "$BATS_TEST_TMPDIR/gate"
    run_h2get_bg "${PEER_ARGS[@]}" "$@" "$PEER_URL/slow"
    for _ in $(seq 100); do
        grep -q '^c1 gate waiting$' "$PEER_LOG" 2>/dev/null && compgen -G 'out.h2get-*.tmp' >/dev/null &&
            [ "$(cat out.h2get-*.tmp | wc -c)" = 500 ] && break
        sleep 0.1
    done
    compgen -G 'out.h2get-*.tmp' >/dev/null || fail "no temporary file mid-body" "$(ls -la)"
    if [ "${TWICE:-}" ]; then # the same event twice at once, straight to h2get
        local pid
        pid=$(pgrep -P "$H2GET_PID") || fail "no h2get under timeout(1)"
        # 0.5 ms apart: after the first has been handled, before the clean-up ends
        python3 -c 'import os, signal, sys, time
pid, sig = int(sys.argv[1]), getattr(signal, "SIG" + sys.argv[2])
os.kill(pid, sig)
time.sleep(0.0005)
os.kill(pid, sig)' "$pid" "$sig" 2>/dev/null || true # the second may find it gone
    else
        kill "-$sig" "$H2GET_PID" # timeout(1) passes it on to h2get (and to its group)
    fi
    wait_h2get
}

@test "SIGINT mid-body: exit 130, said once, no file and no temporary file left, GOAWAY sent" {
    mid_body INT -o out
    assert_status 130
    [ "$(cat "$STDERR")" = "h2get: (130) interrupted: SIGINT, 1 transfer unfinished" ] ||
        fail "stderr" "$(h2get_context)"
    assert_dir_entries . 0
    peer_wait_end
    assert_peer_log '^c1 recv GOAWAY '
}

@test "SIGTERM mid-body with --keep-partial: exit 143, the 500 bytes kept as out.part" {
    mid_body TERM --keep-partial -o out
    assert_status 143
    assert_error_line 143 'terminated: SIGTERM, 1 transfer unfinished'
    assert_no_file out
    [ "$(cat out.part)" = "$(printf 'x%.0s' $(seq 500))" ] || fail "out.part differs"
    assert_dir_entries . 1
}

@test "SIGTERM twice at once is one event: the clean-up still runs, exit 143, nothing left" {
    TWICE=1 mid_body TERM -o out
    assert_status 143
    assert_error_line 143 'terminated: SIGTERM, 1 transfer unfinished'
    assert_dir_entries . 0
}

@test "SIGHUP mid-body: exit 129, nothing left" {
    mid_body HUP -o out
    assert_status 129
    assert_error_line 129 'hung up: SIGHUP'
    assert_dir_entries . 0
}
