#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --retry and its companions (issue 14) against a scripted HTTP/1.1 peer: which failures
# are retried, how many times, after which waits (the peer's timestamps), what is said, and
# that a retried response leaves nothing in the output.

load helpers
load parity

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
    need_python_h2
}

teardown() {
    e2e_teardown
}

OK='{"status": 200, "body": "good\n"}'

@test "503 twice, then 200: two retries after --retry-delay, warnings count down" {
    start_script '[{"status": 503, "body": "busy\n"}, {"status": 503}, '"$OK"']'
    run_h2get --retry 3 --retry-delay 0.3 "$SCRIPT_URL/r"
    assert_status 0
    assert_stdout_is $'good\n'
    assert_requests 3
    assert_gap 2 0.28 0.9
    assert_gap 3 0.28 0.9
    assert_stderr '^h2get: warning: HTTP 503; will retry in 0\.300 s, 3 retries left$'
    assert_stderr '^h2get: warning: HTTP 503; will retry in 0\.300 s, 2 retries left$'
}

@test "without --retry-delay the waits are curl's backoff: 1 s, then 2 s" {
    start_script '[{"status": 500}, {"status": 502}, '"$OK"']'
    run_h2get --retry 2 "$SCRIPT_URL/"
    assert_status 0
    assert_requests 3
    assert_gap 2 0.95 1.6
    assert_gap 3 1.95 2.7
    assert_stderr 'HTTP 500; will retry in 1 s, 2 retries left$'
    assert_stderr 'HTTP 502; will retry in 2 s, 1 retry left$'
}

@test "429 with retry-after: 1 waits a second whatever --retry-delay says; -v tells" {
    start_script '[{"status": 429, "headers": [["retry-after", "1"]]}, '"$OK"']'
    run_h2get -v --retry 1 --retry-delay 0.1 -w '%{num_retries}\n' "$SCRIPT_URL/x"
    assert_status 0
    assert_stdout_is $'good\n1\n'
    assert_gap 2 0.95 1.6
    assert_stderr "^\* retrying $SCRIPT_URL/x in 1 s after HTTP 429 \(retry 1 of 1\)$"
}

@test "a retry-after of 10 years is not waited for: -m and the 10-minute bound" {
    start_script '[{"status": 503, "headers": [["retry-after", "315360000"]], "body": "later\n"}]'
    SECONDS=0
    run_h2get --retry 3 -m 20 "$SCRIPT_URL/"
    assert_status 0
    assert_stdout_is $'later\n'
    assert_requests 1
    assert_stderr 'not retrying after HTTP 503: the wait would pass --max-time$'
    run_h2get --retry 3 -f "$SCRIPT_URL/"
    assert_status 22
    assert_stderr 'not retrying after HTTP 503: the wait is longer than 10 minutes'
    [ "$SECONDS" -lt 5 ] || fail "took $SECONDS s"
}

@test "a retry-after HTTP-date in the past means the usual wait; --retry-max-time stops it" {
    start_script '[{"status": 503, "headers": [["retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"]]}]'
    run_h2get --retry 10 --retry-delay 0.2 --retry-max-time 1 -f "$SCRIPT_URL/"
    assert_status 22
    n=$(script_requests)
    # 1 s of 0.2 s waits: about five, and not all ten
    [ "$n" -ge 3 ] && [ "$n" -le 6 ] || fail "$n requests"
    assert_gap 2 0.18 0.6
    assert_stderr 'not retrying after HTTP 503: (--retry-max-time has passed|the wait)'
    assert_error_line 22 'returned error: 503'
}

@test "retries spent: the last response decides (-f: 22), the file is not left" {
    start_script '[{"status": 504, "body": "nope\n"}]'
    run_h2get --retry 2 --retry-delay 0.05 -f -o out "$SCRIPT_URL/"
    assert_status 22
    assert_requests 3
    assert_no_file out
    assert_dir_entries . 0
}

@test "a retried response leaves nothing in -o FILE: only the final body" {
    start_script '[{"status": 503, "body": "busy\n"}, '"$OK"']'
    run_h2get --retry 1 --retry-delay 0.05 -o out -i "$SCRIPT_URL/"
    assert_status 0
    grep -q '^HTTP/1.1 200' out || fail "$(cat out)"
    ! grep -q 'busy\|503' out || fail "$(cat out)"
    assert_dir_entries . 1
}

@test "without --retry nothing is retried" {
    start_script '[{"status": 503, "body": "busy\n"}, '"$OK"']'
    run_h2get "$SCRIPT_URL/"
    assert_status 0
    assert_stdout_is $'busy\n'
    assert_requests 1
}

@test "POST after 500 is not replayed (the server may have processed it), after 503 it is" {
    start_script '[{"status": 500, "body": "oops\n"}, '"$OK"']'
    run_h2get -v --retry 2 --retry-delay 0.05 -d a=b "$SCRIPT_URL/"
    assert_status 0
    assert_stdout_is $'oops\n'
    assert_requests 1
    assert_stderr 'not retrying .* after HTTP 500: the server may have processed it \(POST is not idempotent'
}

@test "POST after 503 is replayed, body and all" {
    start_script '[{"status": 503}, '"$OK"']'
    run_h2get --retry 2 --retry-delay 0.05 -d a=b "$SCRIPT_URL/"
    assert_status 0
    assert_stdout_is $'good\n'
    assert_requests 2
    grep -q '^body 2 3$' "$SCRIPT_LOG" || fail "$(cat "$SCRIPT_LOG")"
}

@test "--retry-all-errors replays a POST after 500" {
    start_script '[{"status": 500}, '"$OK"']'
    run_h2get --retry 2 --retry-delay 0.05 --retry-all-errors -d a=b "$SCRIPT_URL/"
    assert_status 0
    assert_stdout_is $'good\n'
    assert_requests 2
}

@test "a stalled GET is retried after the stall timeout (28 is transient)" {
    start_script '[{"sleep": 3, "status": 200, "body": "late\n"}, '"$OK"']'
    run_h2get --retry 1 --retry-delay 0.1 --stall-timeout 1 "$SCRIPT_URL/"
    assert_status 0
    assert_stdout_is $'good\n'
    assert_stderr 'a timeout \(no progress for 1000 ms \(stall timeout\)\); will retry in 0\.100 s'
}

@test "a stalled POST is not replayed without --retry-all-errors" {
    start_script '[{"sleep": 3, "status": 200, "body": "late\n"}, '"$OK"']'
    run_h2get --retry 1 --retry-delay 0.1 --stall-timeout 1 -d x "$SCRIPT_URL/"
    assert_status 28
    assert_requests 1
    assert_error_line 28 'stall timeout'
}

@test "a partial body (18) is retried only with --retry-all-errors" {
    start_script '[{"body": "0123456789", "truncate": 3}, '"$OK"']'
    run_h2get --retry 1 --retry-delay 0.1 "$SCRIPT_URL/"
    assert_status 18
    assert_requests 1
    start_script '[{"body": "0123456789", "truncate": 3}, '"$OK"']'
    run_h2get --retry 1 --retry-delay 0.1 --retry-all-errors -o out "$SCRIPT_URL/"
    assert_status 0
    [ "$(cat out)" = good ] || fail "$(cat out)"
    assert_dir_entries . 1
    # on stdout, what was written cannot be taken back: no retry then
    start_script '[{"body": "0123456789", "truncate": 3}, '"$OK"']'
    run_h2get --retry 1 --retry-delay 0.1 --retry-all-errors "$SCRIPT_URL/"
    assert_status 18
    assert_stderr 'not retrying after .*: part of the body was already written to stdout$'
}

@test "a refused connection is retried only with --retry-connrefused" {
    port=$(free_port)
    run_h2get --retry 2 --retry-delay 0.1 "http://127.0.0.1:$port/"
    assert_status 7
    refute_stderr 'will retry'
    run_h2get --retry 2 --retry-delay 0.1 --retry-connrefused "http://127.0.0.1:$port/"
    assert_status 7
    [ "$(grep -c 'a refused connection .*will retry in 0.100 s' "$STDERR")" = 2 ] ||
        fail "$(h2get_context)"
    assert_error_line 7 'Connection refused'
}

@test "--retry takes 0 to 1000000" {
    run_h2get --retry -1 http://127.0.0.1:1/
    assert_status 2
    assert_stderr "'--retry' takes 0 to 1000000, not '-1'"
}

@test "over HTTP/2 (nginx): a 500 is retried on the same connection, -f decides at the end" {
    need_server NGINX_H2
    run_h2get --cacert "$CA" --retry 2 --retry-delay 0.1 -f -w '%{num_retries} %{num_connects}\n' \
        "https://localhost:$NGINX_H2/status/500"
    assert_status 22
    assert_stdout_is $'2 1\n'
    [ "$(grep -c 'GET /status/500 HTTP/2.0" 500' "$NGINX_DIR/access.log")" = 3 ] ||
        fail "$(cat "$NGINX_DIR/access.log")"
    assert_error_line 22 'returned error: 500'
}
