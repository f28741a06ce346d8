#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# HTTP proxies (issue 13): CONNECT tunnels and absolute-form requests through Squid, with
# and without Basic auth; the environment and its precedence; every failure of the proxy
# hop from the scripted proxy, each a one-line error with curl's exit code; credentials
# never shown and never sent to an origin.

load helpers
load proxy

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    start_nginx
    start_squid SQUID
    start_squid SQUID_AUTH auth
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
    squid_mark SQUID SQUID_AUTH
}

teardown() {
    e2e_teardown
}

W='%{http_code} alpn=%{alpn} proxy_alpn=%{proxy_alpn} connect=%{http_connect} conns=%{num_connects}\n'

@test "https through Squid: one CONNECT, h2 end to end, the body byte for byte" {
    need_server SQUID
    run_h2get --cacert "$CA" -x "http://127.0.0.1:$SQUID" -o big -w "$W" -v \
        "https://localhost:$NGINX_H2/size-1048576"
    assert_status 0
    assert_file_sha big "$(doc_sha size-1048576)"
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=200 conns=1
"
    assert_stderr '^\* > CONNECT localhost:'"$NGINX_H2"' HTTP/1.1$'
    assert_stderr '^\* CONNECT to localhost:'"$NGINX_H2"' answered 200: tunnel open$'
    assert_stderr '^\* ALPN: server accepted h2$'
    [ "$(squid_log_count SQUID "TCP_TUNNEL/200 .* CONNECT localhost:$NGINX_H2 ")" = 1 ]
}

@test "many URLs of one origin share one tunnel through Squid" {
    need_server SQUID
    local urls=() i
    for i in 1 2 3 4 5 6; do urls+=("https://localhost:$NGINX_H2/size-16385"); done
    run_h2get --cacert "$CA" -x "127.0.0.1:$SQUID" -w '%{num_connects} %{http_version}\n' \
        -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null "${urls[@]}"
    assert_status 0
    [ "$(grep -c '^1 2$' "$STDOUT")" = 1 ] || fail "$(cat "$STDOUT")"
    [ "$(grep -c '^0 2$' "$STDOUT")" = 5 ] || fail "$(cat "$STDOUT")"
    [ "$(squid_log_count SQUID "CONNECT localhost:$NGINX_H2 ")" = 1 ]
}

@test "http:// URLs go to Squid in absolute form; -p tunnels them" {
    need_server SQUID
    run_h2get -x "http://127.0.0.1:$SQUID" -w "$W" "http://localhost:$NGINX_PLAIN/size-16384"
    assert_status 0
    [ "$(squid_log_count SQUID "GET http://localhost:$NGINX_PLAIN/size-16384 ")" = 1 ]
    run_h2get -p -x "http://127.0.0.1:$SQUID" -o out -w "$W" "http://localhost:$NGINX_PLAIN/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    assert_stdout_is "200 alpn= proxy_alpn= connect=200 conns=1
"
    [ "$(squid_log_count SQUID "CONNECT localhost:$NGINX_PLAIN ")" = 1 ]
}

@test "h2c with prior knowledge goes through a CONNECT tunnel" {
    need_server SQUID
    run_h2get --http2-prior-knowledge -x "http://127.0.0.1:$SQUID" -o out -w '%{http_version} %{alpn}\n' \
        "http://localhost:$NGINX_H2C/size-16384"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16384)"
    assert_stdout_is "2 h2c
"
}

@test "a body through a CONNECT tunnel wakes h2get per 256 KiB, as direct (SO_RCVLOWAT)" {
    need_server SQUID
    need_cmd strace
    local trace="$BATS_TEST_TMPDIR/strace" name=lowat-16m
    head -c 16777216 /dev/zero >"$E2E_DOCROOT/$name"
    # The low-water mark goes on the socket the bytes arrive on: the proxy connection's.
    # (LeakSanitizer cannot run under ptrace, in a sanitized run)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -yy -e trace=setsockopt -o "$trace" "$H2GET" --cacert "$CA" \
        -x "http://127.0.0.1:$SQUID" -o out "https://localhost:$NGINX_H2/$name" ||
        fail "h2get failed under strace"
    [ "$(wc -c <out)" = 16777216 ] || fail "$(wc -c <out) bytes"
    grep -Eq "<TCP:\[127\.0\.0\.1:[0-9]+->127\.0\.0\.1:$SQUID\]>, SOL_SOCKET, SO_RCVLOWAT, \[[0-9]{5,}\]" \
        "$trace" || fail "no SO_RCVLOWAT on the proxy connection" "$(cat "$trace")"
    # The same body direct, for comparison: the mark on the origin's socket.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -yy -e trace=setsockopt -o "$trace" "$H2GET" --cacert "$CA" \
        -o out "https://localhost:$NGINX_H2/$name" || fail "h2get failed under strace"
    grep -Eq -- "->(127\.0\.0\.1|\[::1\]):$NGINX_H2\]>, SOL_SOCKET, SO_RCVLOWAT, \[[0-9]{5,}\]" \
        "$trace" || fail "no SO_RCVLOWAT direct" "$(cat "$trace")"
}

@test "Squid resolves a name only it knows" {
    need_server SQUID
    run_h2get -x "http://127.0.0.1:$SQUID" -o out "http://proxy-only.test:$NGINX_PLAIN/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    run_h2get -p -x "http://127.0.0.1:$SQUID" -o out2 "http://proxy-only.test:$NGINX_PLAIN/size-1"
    assert_status 0
    assert_file_sha out2 "$(doc_sha size-1)"
}

@test "Basic auth with -U: accepted, masked in -v, kept from the origin, also after a redirect" {
    need_server SQUID_AUTH
    run_h2get -v -L --hexdump --cacert "$CA" -U "$PROXY_USER:$PROXY_PASS" \
        -x "http://127.0.0.1:$SQUID_AUTH" "https://localhost:$NGINX_H2/redirect-cross-proxy"
    assert_status 0
    assert_stdout_is "pauth= auth= x=
"
    assert_stderr '^> Proxy-Authorization: \[masked\]$'
    refute_secret
    # --hexdump shows HTTP/2 frames (the origin's, in the tunnel), not the HTTP/1.1 CONNECT
    dump_ascii >ascii
    grep -q '302 Found' ascii || fail "no origin frames in the dump: $(cat ascii)"
    ! grep -Eq "$PROXY_PASS|$PROXY_B64|CONNECT" ascii || fail "the CONNECT in the dump"
    [ "$(squid_log_count SQUID_AUTH "TCP_TUNNEL/200 .* CONNECT localhost:$NGINX_H2 $PROXY_USER ")" = 1 ]
    [ "$(squid_log_count SQUID_AUTH "CONNECT 127.0.0.1:$NGINX_H2 $PROXY_USER ")" = 1 ]
}

@test "Basic auth in absolute form: the origin never sees the proxy's credentials" {
    need_server SQUID_AUTH
    # --proxy-header goes in the request to the proxy, which forwards what it does not use
    run_h2get -v -x "http://$PROXY_USER:$PROXY_PASS@127.0.0.1:$SQUID_AUTH" \
        --proxy-header 'X-Proxy-Only: yes' "http://localhost:$NGINX_PLAIN/echo-proxy"
    assert_status 0
    assert_stdout_is "pauth= auth= x=yes
"
    assert_stderr '^> proxy-authorization: \[masked\]$'
    refute_secret
    [ "$(squid_log_count SQUID_AUTH "GET http://localhost:$NGINX_PLAIN/echo-proxy $PROXY_USER ")" = 1 ]
}

@test "credentials in the proxy URL are percent-decoded and win over -U" {
    need_server SQUID_AUTH
    run_h2get --cacert "$CA" -U "$PROXY_USER:wrong" -o /dev/null \
        -x "http://%61l:s3cr%65t@127.0.0.1:$SQUID_AUTH" "https://localhost:$NGINX_H2/size-1"
    assert_status 0
}

@test "a 407 after -U is exit 56 with the status, as curl" {
    need_server SQUID_AUTH
    run_h2get --cacert "$CA" -U "$PROXY_USER:wrong" -x "http://127.0.0.1:$SQUID_AUTH" \
        -w '%{http_connect} %{proxy_connect_code} %{http_code}\n' "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "proxy refused the tunnel: proxy http://127\.0\.0\.1:$SQUID_AUTH: CONNECT to 'localhost:$NGINX_H2' answered 407 Proxy Authentication Required \(the proxy refused the credentials\)$"
    assert_stdout_is "407 407 000
"
    refute_stderr wrong
    if command -v curl >/dev/null; then
        local c=0
        curl -s -o /dev/null --cacert "$CA" -U "$PROXY_USER:wrong" -x "http://127.0.0.1:$SQUID_AUTH" \
            "https://localhost:$NGINX_H2/size-1" || c=$?
        [ "$c" = 56 ] || fail "curl says $c"
    fi
    run_h2get --cacert "$CA" -x "http://127.0.0.1:$SQUID_AUTH" "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "answered 407 Proxy Authentication Required \(the proxy wants credentials: -U USER:PASSWORD\)$"
}

@test "a 407 to an absolute-form request is a response like any other" {
    need_server SQUID_AUTH
    run_h2get -o /dev/null -w '%{http_code}\n' -x "http://127.0.0.1:$SQUID_AUTH" \
        "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 0
    assert_stdout_is "407
"
}

@test "environment: https_proxy over HTTPS_PROXY, all_proxy as fallback, -x over both" {
    need_server SQUID
    HTTPS_PROXY=http://127.0.0.1:1 https_proxy="http://127.0.0.1:$SQUID" \
        run_h2get --cacert "$CA" -o /dev/null -w "$W" "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=200 conns=1
"
    HTTPS_PROXY="http://127.0.0.1:$SQUID" run_h2get --cacert "$CA" -o /dev/null -w "$W" \
        "https://localhost:$NGINX_H2/size-1"
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=200 conns=1
"
    ALL_PROXY="http://127.0.0.1:$SQUID" run_h2get --cacert "$CA" -o /dev/null -w "$W" \
        "https://localhost:$NGINX_H2/size-1"
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=200 conns=1
"
    https_proxy=http://127.0.0.1:1 run_h2get --cacert "$CA" -x "127.0.0.1:$SQUID" -o /dev/null \
        -w "$W" "https://localhost:$NGINX_H2/size-1"
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=200 conns=1
"
    https_proxy="http://127.0.0.1:$SQUID" run_h2get --cacert "$CA" -x "" -o /dev/null -w "$W" \
        "https://localhost:$NGINX_H2/size-1"
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=000 conns=1
"
}

@test "environment: http_proxy only in lowercase, as curl" {
    need_server SQUID
    HTTP_PROXY=http://127.0.0.1:1 run_h2get -o /dev/null -w "$W" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 0
    http_proxy="http://127.0.0.1:$SQUID" run_h2get -o /dev/null -w "$W" \
        "http://127.0.0.1:$NGINX_PLAIN/size-1"
    assert_status 0
    [ "$(squid_log_count SQUID "GET http://127.0.0.1:$NGINX_PLAIN/size-1 ")" = 1 ]
    http_proxy=http://127.0.0.1:1 run_h2get "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 7
    assert_error_line 7 "could not connect: proxy http://127\.0\.0\.1:1: failed to connect to 127\.0\.0\.1:1"
}

@test "no_proxy and NO_PROXY (names, CIDR), applied to -x too; --noproxy replaces them" {
    need_server SQUID
    no_proxy=localhost run_h2get --cacert "$CA" -x http://127.0.0.1:1 -o /dev/null \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    NO_PROXY=127.0.0.0/8 run_h2get -x http://127.0.0.1:1 -o /dev/null \
        "http://127.0.0.1:$NGINX_PLAIN/size-1"
    assert_status 0
    no_proxy=localhost run_h2get --noproxy '' --cacert "$CA" -x "127.0.0.1:$SQUID" -o /dev/null \
        -w "$W" "https://localhost:$NGINX_H2/size-1"
    assert_stdout_is "200 alpn=h2 proxy_alpn= connect=200 conns=1
"
    run_h2get --noproxy 'example.com, .localhost,localhost' --cacert "$CA" -x http://127.0.0.1:1 \
        -o /dev/null "https://localhost:$NGINX_H2/size-1"
    assert_status 0
}

@test "a garbage no_proxy entry is one error naming it" {
    no_proxy='example.com,10.0.0.0/40' https_proxy=http://127.0.0.1:1 run_h2get \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 2
    assert_error_line 2 "bad entry '10\.0\.0\.0/40' in no_proxy: CIDR prefix of an IPv4 address is not 0-32$"
    run_h2get --noproxy 'a*b.example' "https://localhost:$NGINX_H2/size-1"
    assert_status 2
    assert_stderr "bad entry 'a\*b\.example' in '--noproxy'"
}

@test "bad proxy URLs: exit 5 with the reason, 7 for an unknown scheme, credentials masked" {
    run_h2get -x 'http://al:s3cret@[::1' "https://localhost:$NGINX_H2/size-1"
    assert_status 5
    assert_error_line 5 "^h2get: \(5\) bad proxy URL: 'http://\*\*\*@\[::1' \(-x\): "
    refute_secret
    run_h2get -x 'ftp://al:s3cret@proxy.example' "https://localhost:$NGINX_H2/size-1"
    assert_status 7
    assert_error_line 7 "unsupported proxy scheme: 'ftp://\*\*\*@proxy\.example' \(-x\)"
    refute_secret
    https_proxy='http://proxy.example/path' run_h2get "https://localhost:$NGINX_H2/size-1"
    assert_status 5
    assert_error_line 5 "\(https_proxy\): a proxy URL has no path or query$"
}

@test "a proxy that cannot be resolved is exit 5; one that refuses is 7 (curl's codes)" {
    run_h2get -x http://proxy.invalid:3128 "https://localhost:$NGINX_H2/size-1"
    assert_status 5
    assert_error_line 5 "could not resolve proxy: proxy http://proxy\.invalid:3128: "
    run_h2get -x socks5h://127.0.0.1:1 "https://localhost:$NGINX_H2/size-1"
    assert_status 7
    assert_error_line 7 "proxy socks5h://127\.0\.0\.1:1: failed to connect"
    if command -v curl >/dev/null; then
        local c=0
        curl -s -x http://proxy.invalid:3128 "https://localhost:$NGINX_H2/" || c=$?
        [ "$c" = 5 ] || fail "curl says $c"
    fi
}

@test "403, 502, and answers cut short or not HTTP: each exit 56 naming the hop" {
    local s
    for s in status:403 status:502; do
        start_proxypeer "$s"
        run_h2get --cacert "$CA" -x "127.0.0.1:$PROXY_PORT" -w '%{http_connect}\n' \
            "https://localhost:$NGINX_H2/size-1"
        assert_status 56
        assert_error_line 56 "proxy http://127\.0\.0\.1:$PROXY_PORT: CONNECT to 'localhost:$NGINX_H2' answered ${s#status:} (Forbidden|Bad Gateway)$"
        assert_stdout_is "${s#status:}
"
        stop_tracked
    done
    start_proxypeer close-early
    run_h2get --cacert "$CA" -x "127.0.0.1:$PROXY_PORT" "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "the HTTP proxy closed the connection in the middle of the handshake \(0 bytes of its reply received\)$"
    stop_tracked
    start_proxypeer close-mid
    run_h2get --cacert "$CA" -x "127.0.0.1:$PROXY_PORT" "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "\(11 bytes of its reply received\)$"
    stop_tracked
    start_proxypeer garbage
    run_h2get --cacert "$CA" -x "127.0.0.1:$PROXY_PORT" "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "the proxy's reply to CONNECT is not HTTP/1\.1: "
}

@test "--proxy-header reaches the proxy, not the origin; our own fields can be replaced" {
    start_proxypeer ok
    run_h2get -v --cacert "$CA" -x "127.0.0.1:$PROXY_PORT" --proxy-header 'X-Proxy-Only: yes' \
        --proxy-header 'User-Agent: agent-for-proxy' "https://localhost:$NGINX_H2/echo-proxy"
    assert_status 0
    assert_stdout_is "pauth= auth= x=
"
    proxy_log_wait "c1 header x-proxy-only: yes"
    proxy_log_wait "c1 header user-agent: agent-for-proxy"
    ! grep -q "header user-agent: h2get" "$PROXY_LOG" || fail "our user-agent was sent too"
}

@test "-U reaches the scripted proxy as Basic, for CONNECT and absolute form" {
    start_proxypeer ok --user "$PROXY_USER:$PROXY_PASS"
    run_h2get --cacert "$CA" -U "$PROXY_USER:$PROXY_PASS" -x "127.0.0.1:$PROXY_PORT" -o /dev/null \
        "https://localhost:$NGINX_H2/size-1" "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 0
    proxy_log_wait "header proxy-authorization: Basic $PROXY_B64"
    proxy_log_wait "forward GET http://localhost:$NGINX_PLAIN/size-1"
}

@test "a proxy that never answers CONNECT (or SOCKS5): --connect-timeout, exit 28" {
    start_proxypeer silent
    run_h2get --connect-timeout 1 --cacert "$CA" -x "127.0.0.1:$PROXY_PORT" \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 28
    assert_error_line 28 "^h2get: \(28\) timeout: proxy http://127\.0\.0\.1:$PROXY_PORT: tunnel to 'localhost:$NGINX_H2' not open within 1000 ms$"
    proxy_log_wait "^c1 connect localhost:$NGINX_H2$"
    run_h2get --connect-timeout 1 -x "socks5h://127.0.0.1:$PROXY_PORT" \
        "http://localhost:$NGINX_PLAIN/size-1"
    assert_status 28
    assert_error_line 28 "proxy socks5h://127\.0\.0\.1:$PROXY_PORT: tunnel to 'localhost:$NGINX_PLAIN' not open within 1000 ms$"
    proxy_log_wait "^c2 connect localhost:$NGINX_PLAIN atyp=3$"
}
