#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The progress meter (issue 4): one status line on a terminal when bodies go to files,
# a bar with -#, nothing with -s or --no-progress-meter, and never on a non-terminal.
# A terminal is made with util-linux's script(1).

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    start_nghttpd NGHTTPD_TLS tls
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_cmd script
    need_server NGHTTPD_TLS
}

teardown() {
    e2e_teardown
}

# on_tty ARGS...: run h2get with stdin/stdout/stderr on a pseudo-terminal; the terminal's
# output (stderr and stdout mixed) goes to tty.out, the exit status to $status.
on_tty() {
    local cmd
    cmd=$(printf '%q ' "$H2GET" "$@")
    run script -qec "$cmd" /dev/null
    printf '%s' "$output" >tty.out
}

url() { echo "https://localhost:$NGHTTPD_TLS/$1"; }

@test "on a terminal with -o: a status line counting the URLs, ending with a newline" {
    on_tty --cacert "$CA" -o a "$(url size-1048576)" -o b "$(url size-1)"
    [ "$status" = 0 ] || fail "exit $status" "$(cat tty.out)"
    grep -aq '2/2 done, 0 active' tty.out || fail "no final status line" "$(od -c tty.out)"
    grep -aq $'\r' tty.out || fail "the line is not redrawn in place"
    assert_file_sha a "$(doc_sha size-1048576)"
}

@test "-# draws a bar that reaches 100%" {
    on_tty -# --cacert "$CA" -o a "$(url size-1048576)"
    [ "$status" = 0 ] || fail "exit $status" "$(cat tty.out)"
    grep -aEq '#{40} 100\.0%' tty.out || fail "no full bar" "$(od -c tty.out | head)"
}

@test "-s and --no-progress-meter draw nothing on a terminal" {
    on_tty -s --cacert "$CA" -o a "$(url size-1048576)"
    [ "$status" = 0 ] && [ ! -s tty.out ] || fail "-s printed something" "$(od -c tty.out)"
    on_tty --no-progress-meter --cacert "$CA" -o a "$(url size-1048576)"
    [ "$status" = 0 ] && [ ! -s tty.out ] || fail "--no-progress-meter printed" "$(od -c tty.out)"
}

@test "never on a non-terminal, and not when the body goes to stdout" {
    run_h2get --cacert "$CA" -o a "$(url size-1048576)"
    assert_status 0
    [ ! -s "$STDERR" ] || fail "stderr is not a terminal, yet" "$(cat "$STDERR")"
    on_tty --cacert "$CA" "$(url size-1)"
    [ "$status" = 0 ] || fail "exit $status"
    ! grep -aq 'done,' tty.out || fail "a meter over a body on the terminal" "$(cat tty.out)"
}
