#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Output files (PROMISES.md "Partial downloads"): with -o the target never exists before
# the transfer is complete (temporary file + rename), is not created at all on failure, and
# an existing file is untouched on failure; permissions are 0666 & ~umask; --keep-partial
# keeps FILE.part, never FILE; --fail writes nothing for >= 400; --create-dirs and
# --output-dir. The nginx tests run over $(e2e_proto); the scripted peer's over h2 or h2c.

load helpers

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
}

teardown() {
    e2e_teardown
}

# gate_wait: until the slow_body peer has sent the first half and waits for the gate.
gate_wait() {
    local _
    for _ in $(seq 100); do
        grep -q '^c1 gate waiting$' "$PEER_LOG" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "the peer never reached the gate" "$(cat "$PEER_LOG")"
}

@test "-o: the file does not exist until the transfer is complete" {
    start_peer slow_body --gate "$BATS_TEST_TMPDIR/gate"
    run_h2get_bg "${PEER_ARGS[@]}" -o out "$PEER_URL/slow"
    gate_wait
    sleep 0.3 # let h2get write the first 500 bytes wherever it writes them
    [ ! -e out ] || fail "'out' exists while the body is half received"
    touch "$BATS_TEST_TMPDIR/gate"
    wait_h2get
    assert_status 0
    [ "$(cat out)" = "$(printf 'x%.0s' $(seq 500))$(printf 'y%.0s' $(seq 500))" ] ||
        fail "body differs"
    assert_dir_entries . 1
}

@test "-o over an existing file: the old content stays until completion, then is replaced" {
    printf 'old content\n' >out
    start_peer slow_body --gate "$BATS_TEST_TMPDIR/gate"
    run_h2get_bg "${PEER_ARGS[@]}" -o out "$PEER_URL/slow"
    gate_wait
    sleep 0.3
    [ "$(cat out)" = "old content" ] || fail "'out' changed before the transfer completed"
    touch "$BATS_TEST_TMPDIR/gate"
    wait_h2get
    assert_status 0
    [ "$(wc -c <out)" = 1000 ] || fail "out holds $(wc -c <out) bytes, not 1000"
    assert_dir_entries . 1
}

@test "-o and a failed transfer: no file, no temporary file left" {
    start_peer close_mid_body
    run_h2get "${PEER_ARGS[@]}" -o out "$PEER_URL/"
    assert_status 18
    assert_no_file out
    assert_dir_entries . 0
}

@test "-o and a failed transfer: an existing file is left exactly as it was" {
    printf 'precious\n' >out
    chmod 600 out
    touch -d '2001-02-03 04:05:06' out
    start_peer close_mid_body
    run_h2get "${PEER_ARGS[@]}" -o out "$PEER_URL/"
    assert_status 18
    [ "$(cat out)" = precious ] || fail "existing file was modified"
    [ "$(stat -c '%a %Y' out)" = "600 $(date -d '2001-02-03 04:05:06' +%s)" ] ||
        fail "mode or mtime changed: $(stat -c '%a %y' out)"
    assert_dir_entries . 1
}

@test "--keep-partial keeps the partial body as FILE.part, never as FILE" {
    start_peer close_mid_body
    run_h2get "${PEER_ARGS[@]}" --keep-partial -o out "$PEER_URL/"
    assert_status 18
    assert_no_file out
    [ "$(wc -c <out.part)" = 500 ] || fail "out.part is not the 500 bytes received"
    assert_dir_entries . 1
}

@test "the saved file gets 0666 & ~umask" {
    origin_args
    (umask 027 && run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url size-1)" && assert_status 0)
    [ "$(stat -c %a out)" = 640 ] || fail "mode is $(stat -c %a out), expected 640 (umask 027)"
    assert_file_sha out "$(doc_sha size-1)"
}

@test "--fail and 404: exit 22, nothing written, not even a temporary file" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" --fail -o out "$(origin_url status/404)"
    assert_status 22
    assert_error_line 22 '404'
    assert_no_file out
    assert_dir_entries . 0
}

@test "--fail-with-body and 500: exit 22, the body is written" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" --fail-with-body -o out "$(origin_url status/500)"
    assert_status 22
    grep -q 'server error (e2e)' out || fail "body not written"
}

@test "--create-dirs makes the missing directories for -o" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" --create-dirs -o a/b/c/out "$(origin_url size-16385)"
    assert_status 0
    assert_file_sha a/b/c/out "$(doc_sha size-16385)"
}

@test "-o into a missing directory without --create-dirs: exit 23, nothing created" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -o missing/out "$(origin_url size-1)"
    assert_status 23
    assert_error_line 23 'missing/out'
    assert_dir_entries . 0
}

@test "--output-dir holds the files of -o and -O" {
    origin_args
    mkdir dl
    run_h2get "${ORIGIN_ARGS[@]}" --output-dir dl -o named "$(origin_url size-1)" \
        -O "$(origin_url size-16384)"
    assert_status 0
    assert_file_sha dl/named "$(doc_sha size-1)"
    assert_file_sha dl/size-16384 "$(doc_sha size-16384)"
    assert_dir_entries . 1
}

@test "--output-dir with --create-dirs creates the directory" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" --create-dirs --output-dir new/dir -O "$(origin_url size-0)"
    assert_status 0
    assert_file_sha new/dir/size-0 "$(doc_sha size-0)"
}

@test "with several URLs, the first failure in command-line order decides the exit code" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" --fail -o a "$(origin_url size-1)" \
        -o b "$(origin_url status/404)" -o c "$(origin_url size-16384)"
    assert_status 22
    assert_file_sha a "$(doc_sha size-1)"
    assert_no_file b
    assert_file_sha c "$(doc_sha size-16384)"
}

@test "-o onto a FIFO or a device writes into it and leaves it in place (never renamed over)" {
    origin_args
    mkfifo fifo
    cat fifo >from-fifo &
    local reader=$!
    run_h2get "${ORIGIN_ARGS[@]}" -o fifo "$(origin_url size-16385)"
    assert_status 0
    wait "$reader"
    [ -p fifo ] || fail "the FIFO was replaced" "$(ls -la fifo)"
    assert_file_sha from-fifo "$(doc_sha size-16385)"
    if [ "$(id -u)" = 0 ]; then
        mknod -m 666 devnull c 1 3
        run_h2get "${ORIGIN_ARGS[@]}" -o devnull "$(origin_url size-1)"
        assert_status 0
        [ -c devnull ] || fail "the device node was replaced" "$(ls -la devnull)"
    fi
}

@test "--out-null: every body is discarded, nothing opened, sizes still counted; -o still writes" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" --out-null -i -w '%{size_download}\n' \
        "$(origin_url size-16385)" "$(origin_url size-1048576)"
    assert_status 0
    assert_stdout_is $'16385\n1048576\n'
    assert_dir_entries . 0
    # a URL with its own -o (the first: -o goes to URLs in order) writes its file; the
    # others go nowhere
    run_h2get "${ORIGIN_ARGS[@]}" --out-null -o out "$(origin_url size-16384)" "$(origin_url size-1)"
    assert_status 0
    assert_stdout_is ''
    [ "$(file_sha out)" = "$(doc_sha size-16384)" ] || fail "out differs"
    assert_dir_entries . 1
    # nothing opened for writing (and no temporary file), unlike -o /dev/null
    need_cmd strace
    # (LeakSanitizer cannot run under ptrace, in a sanitized run)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=open,openat -o trace "$H2GET" "${ORIGIN_ARGS[@]}" --out-null \
        "$(origin_url size-16385)" || fail "h2get failed under strace"
    ! grep -E 'O_WRONLY|O_RDWR' trace || fail "something was opened for writing"
}

@test "stdout on /dev/null: nothing to order, so no stream is held to the small window" {
    need_server NGINX_H2
    local u="https://localhost:$NGINX_H2"
    # ordered stdout holds the streams after the first to a 64 KiB window (order.c)
    "$H2GET" --cacert "$CA" --frames=f-file "$u/size-1048576" "$u/size-16385" >out ||
        fail "h2get to a file failed"
    grep -q '^    INITIAL_WINDOW_SIZE=65536$' f-file || fail "no held window" "$(head f-file)"
    cat "$E2E_DOCROOT/size-1048576" "$E2E_DOCROOT/size-16385" | cmp -s - out ||
        fail "the bodies are not in command-line order"
    "$H2GET" --cacert "$CA" --frames=f-null "$u/size-1048576" "$u/size-16385" >/dev/null ||
        fail "h2get to /dev/null failed"
    grep -q '^    INITIAL_WINDOW_SIZE=1048576$' f-null || fail "a held window" "$(head f-null)"
    # ... and no body is held either: nothing spills to a temporary file
    command -v strace >/dev/null || skip_or_die "strace is not installed (make deps)"
    # (LeakSanitizer cannot run under ptrace, in a sanitized run)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=open,openat -o trace "$H2GET" --cacert "$CA" \
        "$u/size-1048576" "$u/size-1048576" "$u/size-1048576" >/dev/null ||
        fail "h2get failed under strace"
    ! grep -E 'O_WRONLY|O_RDWR|O_TMPFILE' trace || fail "something was opened for writing"
}

@test "-o /dev/null for each of many URLs: the device is opened once and stays a device" {
    command -v strace >/dev/null || skip_or_die "strace is not installed (make deps)"
    need_server NGINX_H2
    local u="https://localhost:$NGINX_H2" args=() i
    for i in $(seq 1 50); do
        args+=(-o /dev/null "$u/size-1")
    done
    H2GET_REAL=$H2GET
    STRACE_OUT="$BATS_TEST_TMPDIR/strace"
    # LeakSanitizer cannot run under ptrace: no leak check for this one run (make asan)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" H2GET="strace" run_h2get -f -qq -e trace=openat,stat,newfstatat -o "$STRACE_OUT" \
        "$H2GET_REAL" --cacert "$CA" -w '%{http_code}\n' "${args[@]}"
    assert_status 0
    [ "$(grep -c '^200$' "$STDOUT")" = 50 ] || fail "expected 50 responses" "$(cat "$STDOUT")"
    [ "$(grep -c 'openat(.*"/dev/null"' "$STRACE_OUT")" = 1 ] ||
        fail "/dev/null opened more than once" "$(grep /dev/null "$STRACE_OUT")"
    [ "$(grep -c '/dev/null' "$STRACE_OUT")" -le 2 ] ||
        fail "/dev/null looked up per URL" "$(grep /dev/null "$STRACE_OUT" | head)"
    [ -c /dev/null ] || fail "/dev/null is no longer a character device"
}
