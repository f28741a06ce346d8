#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# SOCKS proxies (issue 13): microsocks for SOCKS5 with and without user/password, and for
# socks5h with a name only the proxy can resolve (its own /etc/hosts in a mount
# namespace); the scripted proxy for SOCKS4/4a (microsocks speaks SOCKS5 only) and for
# every refusal, each SOCKS reply code named in the one-line error (exit 97, as curl).
# Credentials never show in -v.

load helpers
load proxy

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    start_nginx
    start_microsocks SOCKS
    start_microsocks SOCKS_AUTH "$PROXY_USER" "$PROXY_PASS"
    printf '127.0.0.1 localhost proxy-only.test\n' >"$BATS_FILE_TMPDIR/socks-hosts"
    start_microsocks SOCKS_HOSTS "" "" "$BATS_FILE_TMPDIR/socks-hosts"
}

teardown_file() {
    e2e_teardown_file
    proxy_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_server NGINX_H2
    unset http_proxy https_proxy HTTPS_PROXY HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
}

teardown() {
    e2e_teardown
}

W='%{http_code} alpn=%{alpn} proxy_alpn=%{proxy_alpn} connect=%{http_connect} conns=%{num_connects}\n'

@test "socks5 and socks5h through microsocks: h2 end to end, bodies byte for byte, one connection" {
    need_server SOCKS
    local s
    for s in socks5 socks5h; do
        run_h2get --cacert "$CA" -x "$s://127.0.0.1:$SOCKS" -o big -o small -w "$W" -v \
            "https://localhost:$NGINX_H2/size-1048576" "https://localhost:$NGINX_H2/size-16385"
        assert_status 0
        assert_file_sha big "$(doc_sha size-1048576)"
        assert_file_sha small "$(doc_sha size-16385)"
        assert_stdout_is "200 alpn=h2 proxy_alpn= connect=000 conns=1
200 alpn=h2 proxy_alpn= connect=000 conns=0
"
        assert_stderr "^\* $s handshake with $s://127\.0\.0\.1:$SOCKS for localhost:$NGINX_H2$"
        assert_stderr "^\* $s tunnel to localhost:$NGINX_H2 open$"
        assert_stderr '^\* ALPN: server accepted h2$'
    done
}

@test "plain http:// and h2c through SOCKS go in the tunnel, not in absolute form" {
    need_server SOCKS
    run_h2get -x "socks5h://127.0.0.1:$SOCKS" -o out -w '%{http_version}\n' \
        "http://localhost:$NGINX_PLAIN/size-16384"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16384)"
    assert_stdout_is "1.1
"
    run_h2get --http2-prior-knowledge -x "socks5://127.0.0.1:$SOCKS" -o out2 -w '%{http_version}\n' \
        "http://localhost:$NGINX_H2C/size-16385"
    assert_status 0
    assert_file_sha out2 "$(doc_sha size-16385)"
    assert_stdout_is "2
"
}

@test "SOCKS5 user/password (RFC 1929) with -U or in the URL; never shown in -v" {
    need_server SOCKS_AUTH
    run_h2get -v --cacert "$CA" -U "$PROXY_USER:$PROXY_PASS" -x "socks5h://127.0.0.1:$SOCKS_AUTH" \
        -o out "https://localhost:$NGINX_H2/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    refute_secret
    run_h2get -v --cacert "$CA" -x "socks5://$PROXY_USER:$PROXY_PASS@127.0.0.1:$SOCKS_AUTH" \
        -o out2 "https://localhost:$NGINX_H2/size-16384"
    assert_status 0
    assert_file_sha out2 "$(doc_sha size-16384)"
    refute_secret
    assert_stderr "proxy socks5://127\.0\.0\.1:$SOCKS_AUTH"
}

@test "microsocks with auth: none offered, or the wrong password, is exit 97 saying so" {
    need_server SOCKS_AUTH
    run_h2get --cacert "$CA" -x "socks5h://127.0.0.1:$SOCKS_AUTH" "https://localhost:$NGINX_H2/size-1"
    assert_status 97
    assert_error_line 97 "^h2get: \(97\) proxy handshake failed: proxy socks5h://127\.0\.0\.1:$SOCKS_AUTH: the SOCKS5 proxy requires a user name and password \(-U or the proxy URL\)$"
    run_h2get -v --cacert "$CA" -U "$PROXY_USER:wrong-$PROXY_PASS" -x "socks5h://127.0.0.1:$SOCKS_AUTH" \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 97
    assert_error_line 97 "the SOCKS5 proxy refused the user name and password \(RFC 1929 status [0-9]+\)$"
    refute_secret
    if command -v curl >/dev/null; then
        local c=0
        curl -s -o /dev/null -x "socks5h://127.0.0.1:$SOCKS_AUTH" "http://localhost:$NGINX_PLAIN/" || c=$?
        [ "$c" = 97 ] || fail "curl says $c"
    fi
}

@test "socks5h: the proxy resolves a name h2get cannot; socks5 resolves here and fails" {
    need_server SOCKS_HOSTS
    run_h2get -x "socks5h://127.0.0.1:$SOCKS_HOSTS" -o out "http://proxy-only.test:$NGINX_PLAIN/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    run_h2get -x "socks5://127.0.0.1:$SOCKS_HOSTS" -o out2 "http://proxy-only.test:$NGINX_PLAIN/size-1"
    assert_status 6
    assert_error_line 6 "proxy-only\.test"
    assert_no_file out2
}

@test "socks4a asks the proxy to resolve; socks4 sends the address resolved here" {
    start_proxypeer ok --hosts proxy-only.test=127.0.0.1
    run_h2get -x "socks4a://127.0.0.1:$PROXY_PORT" -o out "http://proxy-only.test:$NGINX_PLAIN/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    proxy_log_wait "^c1 socks4a user=$"
    proxy_log_wait "^c1 connect proxy-only\.test:$NGINX_PLAIN$"
    run_h2get --cacert "$CA" -x "socks4://127.0.0.1:$PROXY_PORT" -o out2 -w '%{alpn}\n' \
        "https://localhost:$NGINX_H2/size-16384"
    assert_status 0
    assert_file_sha out2 "$(doc_sha size-16384)"
    assert_stdout_is "h2
"
    proxy_log_wait "^c2 connect 127\.0\.0\.1:$NGINX_H2$"
}

@test "SOCKS5 over the scripted proxy: the methods offered, the name sent as a name (socks5h)" {
    start_proxypeer ok --user "$PROXY_USER:$PROXY_PASS"
    run_h2get --cacert "$CA" -U "$PROXY_USER:$PROXY_PASS" -x "socks5h://127.0.0.1:$PROXY_PORT" \
        -o out "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    proxy_log_wait "^c1 socks5 methods 00 02$"
    proxy_log_wait "^c1 socks5 auth $PROXY_USER $PROXY_PASS$"
    proxy_log_wait "^c1 connect localhost:$NGINX_H2 atyp=3$"
}

@test "bytes the SOCKS5 proxy sends with its reply belong to the tunnel" {
    # a whole response in the same write as the SOCKS reply: h2get reads it as the answer
    # to its request (losing it would wait for the origin's answer instead)
    start_proxypeer $'banner:HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhello\n'
    run_h2get -x "socks5h://127.0.0.1:$PROXY_PORT" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 0
    assert_stdout_is "hello
"
}

@test "every SOCKS5 reply code is named in the error (exit 97, as curl)" {
    local n name
    local -a names=("" "general SOCKS server failure" "connection not allowed by ruleset"
        "network unreachable" "host unreachable" "connection refused" "TTL expired"
        "command not supported" "address type not supported" "unassigned reply code")
    for n in 1 2 3 4 5 6 7 8 9; do
        name=${names[$n]}
        start_proxypeer "socks5-reply:$n"
        run_h2get --cacert "$CA" -x "socks5h://127.0.0.1:$PROXY_PORT" -o out \
            "https://localhost:$NGINX_H2/size-1"
        assert_status 97
        assert_error_line 97 "^h2get: \(97\) proxy handshake failed: proxy socks5h://127\.0\.0\.1:$PROXY_PORT: the SOCKS5 proxy could not connect to 'localhost:$NGINX_H2': $name \(reply $n\)$"
        assert_no_file out
        stop_tracked
    done
}

@test "SOCKS5 refusals before CONNECT: no method, bad credentials, a reply cut short" {
    start_proxypeer socks5-no-method
    run_h2get -U "$PROXY_USER:$PROXY_PASS" -x "socks5h://127.0.0.1:$PROXY_PORT" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 97
    assert_error_line 97 "the SOCKS5 proxy accepted none of the methods offered \(none, username/password\)$"
    refute_secret
    stop_tracked
    start_proxypeer socks5-auth-fail
    run_h2get -v -x "socks5h://$PROXY_USER:$PROXY_PASS@127.0.0.1:$PROXY_PORT" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 97
    assert_error_line 97 "the SOCKS5 proxy refused the user name and password \(RFC 1929 status 1\)$"
    refute_secret
    stop_tracked
    start_proxypeer close-mid
    run_h2get -x "socks5h://127.0.0.1:$PROXY_PORT" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 97
    assert_error_line 97 "the SOCKS5 proxy closed the connection in the middle of the handshake \(1 byte of its reply received\)$"
}

@test "every SOCKS4 reply code is named; socks4 cannot carry an IPv6 address" {
    local n name
    local -a names=([91]="request rejected or failed" [92]="rejected: the proxy cannot reach our identd"
        [93]="rejected: identd reports a different user id")
    for n in 91 92 93; do
        name=${names[$n]}
        start_proxypeer "socks4-reply:$n"
        run_h2get -x "socks4a://127.0.0.1:$PROXY_PORT" "http://localhost:$NGINX_PLAIN/size-1"
        assert_status 97
        assert_error_line 97 "^h2get: \(97\) proxy handshake failed: proxy socks4a://127\.0\.0\.1:$PROXY_PORT: the SOCKS4 proxy refused 'localhost:$NGINX_PLAIN': $name \(reply $n\)$"
        stop_tracked
    done
    start_proxypeer ok
    run_h2get -x "socks4://127.0.0.1:$PROXY_PORT" "http://[::1]:$NGINX_PLAIN/size-1"
    assert_status 6
    assert_error_line 6 "'::1' is not an IPv4 address \\(resolved here for socks4://127\\.0\\.0\\.1:$PROXY_PORT\\)$"
}

@test "all_proxy and ALL_PROXY carry SOCKS URLs; no_proxy still applies" {
    need_server SOCKS_HOSTS
    all_proxy="socks5h://127.0.0.1:$SOCKS_HOSTS" run_h2get -o out "http://proxy-only.test:$NGINX_PLAIN/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    ALL_PROXY="socks5h://127.0.0.1:$SOCKS_HOSTS" run_h2get -o out2 "http://proxy-only.test:$NGINX_PLAIN/size-1"
    assert_status 0
    no_proxy=proxy-only.test all_proxy="socks5h://127.0.0.1:$SOCKS_HOSTS" run_h2get \
        "http://proxy-only.test:$NGINX_PLAIN/size-1"
    assert_status 6
}
