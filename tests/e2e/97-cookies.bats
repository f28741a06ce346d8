#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Cookies (issue 14): -b strings and files, -c jars, -j, RFC 6265's domain, path, secure
# and expiry rules, cookies across redirects and shared by the URLs of a run; against the
# scripted HTTP/1.1 peer, whose log shows the cookie field of every request.

load helpers
load parity

setup_file() {
    e2e_setup_file
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

@test "a redirect's cookies go with the redirected request; -c writes the jar, 0600" {
    start_script '[{"status": 302, "headers": [["location", "/next"], ["set-cookie", "sid=abc; Path=/; HttpOnly"], ["set-cookie", "keep=1; Max-Age=3600"]]}, {"status": 200, "body": "done\n"}]'
    run_h2get -L -c jar.txt "$SCRIPT_URL/start"
    assert_status 0
    assert_stdout_is $'done\n'
    [ -z "$(script_header 1 cookie)" ] || fail "$(cat "$SCRIPT_LOG")"
    [ "$(script_header 2 cookie)" = "sid=abc; keep=1" ] || fail "$(cat "$SCRIPT_LOG")"
    grep -qx $'#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc' jar.txt || fail "$(cat jar.txt)"
    grep -qE $'^127\\.0\\.0\\.1\tFALSE\t/\tFALSE\t[0-9]{10}\tkeep\t1$' jar.txt || fail "$(cat jar.txt)"
    [ "$(stat -c %a jar.txt)" = 600 ] || fail "mode $(stat -c %a jar.txt)"
    assert_dir_entries . 1
}

@test "-b FILE sends the jar's cookies; -j drops its session cookies" {
    start_script '[{"status": 200, "body": "ok\n"}]'
    printf '# Netscape HTTP Cookie File\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc\n127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tkeep\t1\n' >jar.txt
    run_h2get -b jar.txt "$SCRIPT_URL/a"
    assert_status 0
    [ "$(script_header 1 cookie)" = "sid=abc; keep=1" ] || fail "$(cat "$SCRIPT_LOG")"
    run_h2get -b jar.txt -j "$SCRIPT_URL/a"
    assert_status 0
    [ "$(script_header 2 cookie)" = "keep=1" ] || fail "$(cat "$SCRIPT_LOG")"
}

@test "-b 'a=b; c=d' is sent as it is, and not to another host after a redirect" {
    start_script '[{"status": 302, "headers": [["location", "http://localhost:{PORT}/x"], ["set-cookie", "h=1"]]}, {"status": 200, "body": "ok\n"}]'
    run_h2get -L -b 'a=b; c=d' "$SCRIPT_URL/"
    assert_status 0
    [ "$(script_header 1 cookie)" = "a=b; c=d" ] || fail "$(cat "$SCRIPT_LOG")"
    # 127.0.0.1 -> localhost: neither the -b string nor 127.0.0.1's host-only cookie
    grep -q '^hdr 2 host: localhost' "$SCRIPT_LOG" || fail "$(cat "$SCRIPT_LOG")"
    [ -z "$(script_header 2 cookie)" ] || fail "$(cat "$SCRIPT_LOG")"
}

@test "cookies for a bare top-level domain, another domain, or Secure over http are refused" {
    start_script '[{"status": 200, "headers": [["set-cookie", "tld=1; Domain=com"], ["set-cookie", "other=1; Domain=example.org"], ["set-cookie", "sec=1; Secure"], ["set-cookie", "fine=1"]], "body": "ok\n"}]'
    run_h2get -v -c jar.txt "$SCRIPT_URL/"
    assert_status 0
    assert_stderr "ignoring cookie 'tld': domain 'com' is not for 127.0.0.1"
    assert_stderr "ignoring cookie 'other': domain 'example.org' is not for 127.0.0.1"
    assert_stderr "ignoring Secure cookie 'sec' from an http:// origin"
    [ "$(grep -vc '^#\|^$' jar.txt)" = 1 ] || fail "$(cat jar.txt)"
    grep -q $'\tfine\t1$' jar.txt || fail "$(cat jar.txt)"
}

@test "the URLs of a run share the jar; Path limits where a cookie goes" {
    start_script '[{"status": 200, "headers": [["set-cookie", "app=1; Path=/app"], ["set-cookie", "all=2; Path=/"]], "body": "1\n"}, {"status": 200, "body": "2\n"}]'
    run_h2get --sequential -b '' "$SCRIPT_URL/app/login" "$SCRIPT_URL/app/page" "$SCRIPT_URL/other"
    assert_status 0
    [ "$(script_header 2 cookie)" = "app=1; all=2" ] || fail "$(cat "$SCRIPT_LOG")"
    [ "$(script_header 3 cookie)" = "all=2" ] || fail "$(cat "$SCRIPT_LOG")"
}

@test "Max-Age=0 removes a cookie from the jar; an expired one in a file is not sent" {
    start_script '[{"status": 200, "headers": [["set-cookie", "gone=; Max-Age=0"]], "body": "ok\n"}]'
    printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tgone\tx\n127.0.0.1\tFALSE\t/\tFALSE\t1000\told\ty\n' >jar.txt
    run_h2get -b jar.txt -c jar.txt "$SCRIPT_URL/"
    assert_status 0
    [ "$(script_header 1 cookie)" = "gone=x" ] || fail "$(cat "$SCRIPT_LOG")"
    ! grep -q 'gone\|old' jar.txt || fail "$(cat jar.txt)"
}

@test "a cookie file with binary junk: exit 131 naming the file and line, nothing sent" {
    start_script '[{"status": 200, "body": "ok\n"}]'
    printf '127.0.0.1\tFALSE\t/\tFALSE\t0\ta\tb\n\x00\x01\x02\xff\n' >junk.bin
    run_h2get -b junk.bin -c out.txt "$SCRIPT_URL/"
    assert_status 131
    assert_error_line 131 "bad cookie file: 'junk.bin' line 2: binary junk"
    assert_requests 0
    assert_no_file out.txt
}

@test "a missing -b file is a warning (curl starts empty); a broken line is exit 131" {
    start_script '[{"status": 200, "body": "ok\n"}]'
    run_h2get -b nosuch.txt "$SCRIPT_URL/"
    assert_status 0
    assert_stderr "warning: no cookie file 'nosuch.txt': starting without cookies"
    printf 'only\tthree\tfields\n' >broken.txt
    run_h2get -b broken.txt "$SCRIPT_URL/"
    assert_status 131
    assert_error_line 131 "'broken.txt' line 1: not seven tab-separated fields"
}
