#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# -r, -C and -J (issue 14): ranges and resume against nginx over h2, h2c and HTTP/1.1
# (E2E_PROTO), and against a scripted peer for servers that ignore or refuse the range; a
# file that is resumed is appended to only after a 206 from the right byte, else untouched.

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
}

teardown() {
    e2e_teardown
}

@test "-r 0-99 and -r -100: exactly those bytes, byte-exact" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -r 0-99 "$(origin_url size-16385)"
    assert_status 0
    head -c 100 "$E2E_DOCROOT/size-16385" >want
    cmp want "$STDOUT" || fail "first 100 bytes differ"
    run_h2get "${ORIGIN_ARGS[@]}" -r -100 -o tail "$(origin_url size-16385)"
    assert_status 0
    tail -c 100 "$E2E_DOCROOT/size-16385" >want
    cmp want tail || fail "last 100 bytes differ"
}

@test "-C - resumes a partial file from its size: the whole file, byte-exact" {
    origin_args
    head -c 5000 "$E2E_DOCROOT/size-1048576" >part
    run_h2get "${ORIGIN_ARGS[@]}" -v -C - -o part "$(origin_url size-1048576)"
    assert_status 0
    assert_file_sha part "$(doc_sha size-1048576)"
    assert_stderr "^> range: bytes=5000-"
    assert_stderr "resuming 'part' at byte 5000"
    assert_dir_entries . 1
}

@test "-C N appends from byte N; -C - without a file fetches it all" {
    origin_args
    head -c 16384 "$E2E_DOCROOT/size-16385" >part
    run_h2get "${ORIGIN_ARGS[@]}" -C 16384 -o part "$(origin_url size-16385)"
    assert_status 0
    assert_file_sha part "$(doc_sha size-16385)"
    run_h2get "${ORIGIN_ARGS[@]}" -C - -o fresh "$(origin_url size-16385)"
    assert_status 0
    assert_file_sha fresh "$(doc_sha size-16385)"
}

@test "-C - on a complete file: 416 means done, the file is untouched, exit 0" {
    origin_args
    cp "$E2E_DOCROOT/size-16385" full
    run_h2get "${ORIGIN_ARGS[@]}" -v -C - -o full "$(origin_url size-16385)"
    assert_status 0
    assert_file_sha full "$(doc_sha size-16385)"
    assert_stderr "'full' is already complete \(16385 bytes\)"
}

@test "-C - on a file larger than the resource: exit 33 with both sizes, file untouched" {
    origin_args
    { cat "$E2E_DOCROOT/size-16385"; printf 'extra'; } >big
    sha=$(file_sha big)
    run_h2get "${ORIGIN_ARGS[@]}" -C - -o big "$(origin_url size-16385)"
    assert_status 33
    assert_error_line 33 "'big' has 16390 bytes, more than the 16385 bytes of the resource"
    assert_file_sha big "$sha"
    assert_dir_entries . 1
}

@test "a server that ignores the range (200) is detected: exit 33, file unchanged" {
    start_script '[{"status": 200, "body": "0123456789"}]'
    printf '01234' >part
    run_h2get -C - -o part "$SCRIPT_URL/f"
    assert_status 33
    assert_error_line 33 'ignored the range and sent the whole resource \(200\): cannot resume at byte 5'
    [ "$(cat part)" = 01234 ] || fail "part: $(cat part)"
    assert_dir_entries . 1
    [ "$(script_header 1 range)" = "bytes=5-" ] || fail "$(cat "$SCRIPT_LOG")"
}

@test "a 206 from the wrong byte is refused: exit 33, file unchanged" {
    start_script '[{"status": 206, "headers": [["content-range", "bytes 0-9/10"]], "body": "0123456789"}]'
    printf '01234' >part
    run_h2get -C - -o part "$SCRIPT_URL/f"
    assert_status 33
    assert_error_line 33 'sent bytes from 0, not from 5'
    [ "$(cat part)" = 01234 ] || fail "part: $(cat part)"
}

@test "a 206 without content-range, or with a bad one, is exit 33" {
    start_script '[{"status": 206, "body": "56789"}, {"status": 206, "headers": [["content-range", "bytes 9-5/10"]], "body": "56789"}]'
    printf '01234' >part
    run_h2get -C 5 -o part "$SCRIPT_URL/f"
    assert_status 33
    assert_error_line 33 'without content-range'
    run_h2get -C 5 -o part "$SCRIPT_URL/f"
    assert_status 33
    assert_error_line 33 'content-range'
    [ "$(cat part)" = 01234 ] || fail "part: $(cat part)"
}

@test "an error page is not appended to a file being resumed" {
    start_script '[{"status": 404, "body": "not here\n"}]'
    printf '01234' >part
    run_h2get -C - -o part "$SCRIPT_URL/f"
    assert_status 0
    assert_stderr "not writing the 404 response into 'part'"
    [ "$(cat part)" = 01234 ] || fail "part: $(cat part)"
    run_h2get -f -C - -o part "$SCRIPT_URL/f"
    assert_status 22
    [ "$(cat part)" = 01234 ] || fail "part: $(cat part)"
}

@test "a resumed transfer cut short keeps what arrived; --retry resumes after it" {
    start_script '[{"status": 206, "headers": [["content-range", "bytes 5-9/10"], ["content-length", "5"]], "body": "56789", "truncate": 2}, {"status": 206, "headers": [["content-range", "bytes 7-9/10"]], "body": "789"}]'
    printf '01234' >part
    run_h2get --retry 1 --retry-all-errors --retry-delay 0.05 -C - -o part "$SCRIPT_URL/f"
    assert_status 0
    [ "$(cat part)" = 0123456789 ] || fail "part: $(cat part)"
    [ "$(script_header 2 range)" = "bytes=7-" ] || fail "$(cat "$SCRIPT_LOG")"
}

@test "-r with a server that ignores it: a warning, the whole body" {
    start_script '[{"status": 200, "body": "0123456789"}]'
    run_h2get -r 0-3 "$SCRIPT_URL/f"
    assert_status 0
    assert_stdout_is 0123456789
    assert_stderr 'warning: the server ignored the range: the whole resource follows \(200\)'
}

@test "-J names the file after content-disposition, path parts stripped" {
    start_script '[{"status": 200, "headers": [["content-disposition", "attachment; filename=\"../../etc/evil.txt\""]], "body": "payload\n"}]'
    run_h2get -v -O -J "$SCRIPT_URL/download.cgi"
    assert_status 0
    [ "$(cat evil.txt)" = payload ] || fail "$(ls -la)"
    assert_no_file download.cgi
    assert_dir_entries . 1
    assert_stderr "saving as 'evil.txt' \(content-disposition\)"
}

@test "-J takes filename* (RFC 8187) first and honours --output-dir" {
    start_script '[{"status": 200, "headers": [["content-disposition", "attachment; filename=\"plain.txt\"; filename*=UTF-8'"''"'caf%C3%A9.txt"]], "body": "x\n"}]'
    mkdir dl
    run_h2get -OJ --output-dir dl "$SCRIPT_URL/get"
    assert_status 0
    [ -f "dl/café.txt" ] || fail "$(ls -la dl)"
}

@test "-J never overwrites an existing file without --clobber (exit 23)" {
    start_script '[{"status": 200, "headers": [["content-disposition", "attachment; filename=keep.txt"]], "body": "new\n"}]'
    printf 'old\n' >keep.txt
    run_h2get -O -J "$SCRIPT_URL/get"
    assert_status 23
    assert_error_line 23 "refusing to overwrite 'keep.txt'.*--clobber"
    [ "$(cat keep.txt)" = old ] || fail "$(cat keep.txt)"
    assert_dir_entries . 1
    run_h2get -O -J --clobber "$SCRIPT_URL/get"
    assert_status 0
    [ "$(cat keep.txt)" = new ] || fail "$(cat keep.txt)"
}

@test "-J without content-disposition uses the URL's name" {
    start_script '[{"status": 200, "body": "y\n"}]'
    run_h2get -O -J "$SCRIPT_URL/name.bin"
    assert_status 0
    [ "$(cat name.bin)" = y ] || fail "$(ls -la)"
}

@test "bad -r, -C and -J combinations are usage errors" {
    run_h2get -r abc http://127.0.0.1:1/
    assert_status 2
    assert_stderr "'--range' takes byte ranges such as 0-499, 500- or -500, not 'abc'"
    run_h2get -r 9-5 http://127.0.0.1:1/
    assert_status 2
    run_h2get -C x http://127.0.0.1:1/
    assert_status 2
    assert_stderr "'--continue-at' takes an offset or '-', not 'x'"
    run_h2get -C - -r 0-1 http://127.0.0.1:1/
    assert_status 2
    assert_stderr "'--continue-at' cannot be used with '--range'"
    run_h2get -J http://127.0.0.1:1/x
    assert_status 2
    assert_stderr "'--remote-header-name' needs '--remote-name'"
}
