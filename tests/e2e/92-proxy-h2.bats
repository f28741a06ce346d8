#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# HTTPS and HTTP/2 proxies (issue 13): nghttpx in its HTTP/2 forward-proxy mode in front of
# Squid. Many URLs share one TLS connection to the proxy, each origin a CONNECT stream on
# it (RFC 9113 §8.5) with TLS and ALPN of its own inside; the proxy's access log counts the
# proxy connections (its client ports). The proxy's certificate is checked against
# --proxy-cacert, not --cacert, and a failure says it was the proxy's (exit 60).

load helpers
load proxy

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    start_nginx
    start_squid SQUID
    [ -n "${SQUID:-}" ] || { missing NGHTTPX "no Squid behind nghttpx"; return 0; }
    start_nghttpx NGHTTPX "$SQUID"
    start_nghttpx NGHTTPX_H1 "$SQUID" server http/1.1
    start_nghttpx NGHTTPX_UNKNOWN "$SQUID" unknown
    start_nghttpx NGHTTPX_WRONG "$SQUID" wronghost
    start_squid SQUID_AUTH auth
    [ -n "${SQUID_AUTH:-}" ] && start_nghttpx NGHTTPX_AUTH "$SQUID_AUTH"
}

teardown_file() {
    e2e_teardown_file
    proxy_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_server NGINX_H2
    need_server NGHTTPX
    unset http_proxy https_proxy HTTPS_PROXY HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
    nghttpx_mark NGHTTPX
    nghttpx_mark NGHTTPX_H1
    squid_mark SQUID SQUID_AUTH
}

teardown() {
    e2e_teardown
}

W='%{url_effective} %{http_code} alpn=%{alpn} proxy_alpn=%{proxy_alpn} connect=%{http_connect} conns=%{num_connects}\n'

# distinct_ports VAR: how many client connections the lines since the mark came from.
distinct_ports() {
    nghttpx_lines "$1" | cut -d' ' -f1 | sort -u | wc -l
}

@test "many URLs of three origins through one HTTP/2 proxy connection, a CONNECT stream each" {
    local o1="https://localhost:$NGINX_H2" o2="https://127.0.0.1:$NGINX_H2"
    local o3="https://localhost:$NGINX_H1TLS"
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -w "$W" \
        -o a -o b -o c -o d -o e -o f \
        "$o1/size-1048576" "$o2/size-16385" "$o3/size-16384" "$o1/size-1" "$o2/size-0" "$o3/size-1"
    assert_status 0
    assert_file_sha a "$(doc_sha size-1048576)"
    assert_file_sha b "$(doc_sha size-16385)"
    assert_file_sha c "$(doc_sha size-16384)"
    assert_file_sha d "$(doc_sha size-1)"
    assert_file_sha e "$(doc_sha size-0)"
    assert_file_sha f "$(doc_sha size-1)"
    # the first transfer opened the proxy connection and its origin's; each new origin one
    assert_stdout_is "$o1/size-1048576 200 alpn=h2 proxy_alpn=h2 connect=200 conns=2
$o2/size-16385 200 alpn=h2 proxy_alpn=h2 connect=200 conns=1
$o3/size-16384 200 alpn=http/1.1 proxy_alpn=h2 connect=200 conns=1
$o1/size-1 200 alpn=h2 proxy_alpn=h2 connect=200 conns=0
$o2/size-0 200 alpn=h2 proxy_alpn=h2 connect=200 conns=0
$o3/size-1 200 alpn=http/1.1 proxy_alpn=h2 connect=200 conns=0
"
    [ "$(distinct_ports NGHTTPX)" = 1 ] || fail "$(nghttpx_lines NGHTTPX)"
    [ "$(nghttpx_lines NGHTTPX | grep -c ' h2 CONNECT .* 200$')" = 3 ] || fail "$(nghttpx_lines NGHTTPX)"
    nghttpx_lines NGHTTPX | grep -q " h2 CONNECT localhost:$NGINX_H2 200$"
    nghttpx_lines NGHTTPX | grep -q " h2 CONNECT 127.0.0.1:$NGINX_H2 200$"
    nghttpx_lines NGHTTPX | grep -q " h2 CONNECT localhost:$NGINX_H1TLS 200$"
    [ "$(squid_log_count SQUID "TCP_TUNNEL/200 .* CONNECT ")" = 3 ]
}

@test "-v shows each hop: proxy TLS and ALPN, the CONNECT stream, origin TLS and ALPN" {
    run_h2get -v --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o out \
        "https://localhost:$NGINX_H2/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    assert_stderr "^\* Connected to proxy 127\.0\.0\.1:$NGHTTPX$"
    assert_stderr '^\* proxy ALPN: proxy accepted h2$'
    assert_stderr '^\* proxy certificate:$'
    assert_stderr "^\* Proxy https://localhost:$NGHTTPX speaks HTTP/2: tunnels are CONNECT streams$"
    assert_stderr "^\* CONNECT localhost:$NGINX_H2 on stream 1 of proxy https://localhost:$NGHTTPX$"
    assert_stderr '^> :method: CONNECT$'
    assert_stderr "^\* CONNECT to localhost:$NGINX_H2 answered 200: tunnel open on stream 1$"
    assert_stderr '^\* ALPN: server accepted h2$'
    assert_stderr "^\* Connected: tls TLS1\.3 h2 tunnel to localhost:$NGINX_H2 via https://localhost:$NGHTTPX \(HTTP/2 stream 1\)$"
}

@test "http:// URLs go in absolute form over http/1.1 to an https:// proxy; -p and h2c in CONNECT streams" {
    run_h2get --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o a -o b \
        -w '%{http_version} %{proxy_alpn} %{http_connect}\n' "http://localhost:$NGINX_PLAIN/size-16385" \
        "http://localhost:$NGINX_PLAIN/size-16384"
    assert_status 0
    assert_file_sha a "$(doc_sha size-16385)"
    assert_file_sha b "$(doc_sha size-16384)"
    assert_stdout_is "1.1 http/1.1 000
1.1 http/1.1 000
"
    [ "$(nghttpx_lines NGHTTPX | grep -c " http/1.1 GET .*/size-1638[45] 200$")" = 2 ] ||
        fail "$(nghttpx_lines NGHTTPX)"
    nghttpx_mark NGHTTPX
    run_h2get -p --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o a -o b \
        -w '%{http_version} %{proxy_alpn} %{http_connect}\n' "http://localhost:$NGINX_PLAIN/size-16385" \
        "http://localhost:$NGINX_PLAIN/size-16384"
    assert_status 0
    assert_file_sha a "$(doc_sha size-16385)"
    assert_file_sha b "$(doc_sha size-16384)"
    assert_stdout_is "1.1 h2 200
1.1 h2 200
"
    [ "$(nghttpx_lines NGHTTPX | grep -c " h2 CONNECT localhost:$NGINX_PLAIN 200$")" = 1 ] ||
        fail "$(nghttpx_lines NGHTTPX)"
    nghttpx_mark NGHTTPX
    run_h2get --http2-prior-knowledge --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o c \
        -w '%{http_version} %{alpn} %{proxy_alpn}\n' "http://localhost:$NGINX_H2C/size-1048576"
    assert_status 0
    assert_file_sha c "$(doc_sha size-1048576)"
    assert_stdout_is "2 h2c h2
"
    [ "$(nghttpx_lines NGHTTPX | grep -c " h2 CONNECT localhost:$NGINX_H2C 200$")" = 1 ] ||
        fail "$(nghttpx_lines NGHTTPX)"
}

@test "an https:// proxy that selects http/1.1: one proxy connection per tunnel" {
    need_server NGHTTPX_H1
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://127.0.0.1:$NGHTTPX_H1" -w "$W" \
        -o a -o b "https://localhost:$NGINX_H2/size-16385" "https://127.0.0.1:$NGINX_H2/size-16384"
    assert_status 0
    assert_file_sha a "$(doc_sha size-16385)"
    assert_file_sha b "$(doc_sha size-16384)"
    assert_stdout_is "https://localhost:$NGINX_H2/size-16385 200 alpn=h2 proxy_alpn=http/1.1 connect=200 conns=1
https://127.0.0.1:$NGINX_H2/size-16384 200 alpn=h2 proxy_alpn=http/1.1 connect=200 conns=1
"
    [ "$(distinct_ports NGHTTPX_H1)" = 2 ] || fail "$(nghttpx_lines NGHTTPX_H1)"
    [ "$(nghttpx_lines NGHTTPX_H1 | grep -c ' http/1.1 CONNECT ')" = 2 ]
}

@test "the proxy's certificate is checked against --proxy-cacert, not --cacert: exit 60 naming the proxy" {
    run_h2get --cacert "$CA" -x "https://localhost:$NGHTTPX" "https://localhost:$NGINX_H2/size-1"
    assert_status 60
    assert_error_line 60 "^h2get: \(60\) certificate verification failed: proxy https://localhost:$NGHTTPX: certificate for 'localhost' not accepted: "
    run_h2get --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" "https://localhost:$NGINX_H2/size-1"
    assert_status 60
    assert_error_line 60 "^h2get: \(60\) certificate verification failed: certificate for 'localhost' not accepted: "
    refute_stderr "proxy https"
    if command -v curl >/dev/null; then
        local c=0
        curl -s -o /dev/null --cacert "$CA" -x "https://localhost:$NGHTTPX" \
            "https://localhost:$NGINX_H2/size-1" || c=$?
        [ "$c" = 60 ] || fail "curl says $c"
    fi
}

@test "a proxy certificate of an unknown CA or for another name: exit 60; --proxy-insecure accepts it" {
    need_server NGHTTPX_UNKNOWN
    need_server NGHTTPX_WRONG
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX_UNKNOWN" \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 60
    assert_error_line 60 "proxy https://localhost:$NGHTTPX_UNKNOWN: certificate for 'localhost' not accepted: certificate signer not found"
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX_WRONG" \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 60
    assert_error_line 60 "proxy https://localhost:$NGHTTPX_WRONG: certificate for 'localhost' not accepted"
    run_h2get --cacert "$CA" --proxy-insecure -x "https://localhost:$NGHTTPX_WRONG" -o out \
        -w '%{proxy_alpn} %{alpn}\n' "https://localhost:$NGINX_H2/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    assert_stdout_is "h2 h2
"
    assert_stderr "^h2get: warning: proxy certificate verification is off \(--proxy-insecure\)"
    # -k is for the origin only: the proxy is still checked
    run_h2get -k -x "https://localhost:$NGHTTPX_UNKNOWN" "https://localhost:$NGINX_H2/size-1"
    assert_status 60
    assert_error_line 60 "proxy https://localhost:$NGHTTPX_UNKNOWN: "
}

@test "https_proxy names an HTTP/2 proxy too" {
    https_proxy="https://localhost:$NGHTTPX" run_h2get --cacert "$CA" --proxy-cacert "$CA" \
        -o out -w '%{proxy_alpn} %{http_connect}\n' "https://localhost:$NGINX_H2/size-16384"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16384)"
    assert_stdout_is "h2 200
"
}

@test "--frames and --trace-json label the proxy connection's frames apart from the origin's" {
    run_h2get --frames --trace-json trace.jsonl --cacert "$CA" --proxy-cacert "$CA" \
        -x "https://localhost:$NGHTTPX" -o out "https://localhost:$NGINX_H2/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    # the origin's connection (#0) runs inside CONNECT stream 1 of the proxy's (#1)
    assert_stderr '^\+[0-9.]+ms #1 proxy > HEADERS s=1 len=[0-9]+ END_HEADERS$'
    assert_stderr '^    :method: CONNECT$'
    assert_stderr '^\+[0-9.]+ms #1 proxy < HEADERS s=1 '
    assert_stderr '^\+[0-9.]+ms #0 tunnel > HEADERS s=1 len=[0-9]+ END_STREAM END_HEADERS$'
    assert_stderr '^\+[0-9.]+ms #0 tunnel < DATA s=1 '
    assert_stderr '^\+[0-9.]+ms #1 proxy < DATA s=1 '
    refute_stderr '^\+[0-9.]+ms [<>] '
    grep -q '"conn":1,"ev":"conn","what":"proxy","detail":"https://localhost:'"$NGHTTPX"'"}' trace.jsonl
    grep -q '"conn":0,"ev":"conn","what":"tunnel","detail":"tunnel to localhost:'"$NGINX_H2"' via https://localhost:'"$NGHTTPX"' (HTTP/2 stream 1)"}' trace.jsonl
    grep -q '"conn":1,"ev":"frame","hop":"proxy","dir":"send","type":"HEADERS"' trace.jsonl
    grep -q '"conn":0,"ev":"frame","hop":"tunnel","dir":"recv","type":"DATA"' trace.jsonl
}

@test "-U on CONNECT streams: masked in -v, --frames --hpack and --trace-json" {
    run_h2get -v --frames --hpack --trace-json trace.jsonl -U "$PROXY_USER:$PROXY_PASS" \
        --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o out \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    assert_stderr '^> proxy-authorization: \[masked\]$'
    assert_stderr '^    \[never-index name=[0-9]+ huff=[-nv]+\] proxy-authorization: \[masked\]$'
    refute_secret
    grep -q '"name":"proxy-authorization","value":"\[masked\]"' trace.jsonl
    ! grep -Eq "$PROXY_PASS|$PROXY_B64" trace.jsonl || fail "credentials in the JSON trace"
}

@test "-U on CONNECT streams with --hexdump: the credentials' bytes are '*', as in every view" {
    run_h2get --hexdump -U "$PROXY_USER:$PROXY_PASS" --cacert "$CA" --proxy-cacert "$CA" \
        -x "https://localhost:$NGHTTPX" -o out "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    dump_ascii >ascii
    grep -q 'CONNECT' ascii || fail "no CONNECT stream in the dump: $(cat ascii)"
    # never indexed, not Huffman-coded: the value's 18 octets (Basic + base64) are '*'
    grep -q '\*\{18\}' ascii || fail "no masked value in the dump: $(cat ascii)"
    ! grep -Eq "$PROXY_PASS|$PROXY_B64|Basic" ascii || fail "credentials in the dump"
    assert_stderr '^    [0-9a-f]{4}  .*( \*\*){8}.*\|'
    refute_secret
    # a Proxy-Authorization of --proxy-header is masked the same way
    run_h2get --hexdump --proxy-header "Proxy-Authorization: Bearer $PROXY_B64" --cacert "$CA" \
        --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o out \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    dump_ascii >ascii
    grep -q '\*\{19\}' ascii || fail "no masked value in the dump: $(cat ascii)"
    ! grep -Eq "$PROXY_B64|Bearer" ascii || fail "credentials in the dump"
}

@test "-u to the origin (through the proxy): shown in --hexdump as in --frames and -v" {
    run_h2get --hexdump --frames -u "ou:op" -U "$PROXY_USER:$PROXY_PASS" --cacert "$CA" \
        --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" -o out \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    assert_stderr '^    authorization: Basic b3U6b3A=$'
    dump_ascii >ascii
    grep -q 'Basic b3U6b3A=' ascii || fail "the origin's field is not in the dump: $(cat ascii)"
    ! grep -Eq "$PROXY_PASS|$PROXY_B64" ascii || fail "proxy credentials in the dump"
    refute_secret
}

@test "a CONNECT stream the proxy refuses fails its URL alone; the others share the connection" {
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX" \
        -w '%{url_effective} %{http_code} connect=%{http_connect}\n' -o a -o b -o c \
        "https://localhost:$NGINX_H2/size-16385" "https://127.0.0.1:1/size-1" \
        "https://127.0.0.1:$NGINX_H2/size-16384"
    assert_status 56
    assert_error_line 56 "proxy https://localhost:$NGHTTPX: CONNECT to '127\.0\.0\.1:1' answered 50[23]$"
    assert_file_sha a "$(doc_sha size-16385)"
    assert_file_sha c "$(doc_sha size-16384)"
    assert_no_file b
    grep -q "^https://127.0.0.1:1/size-1 000 connect=50[23]$" "$STDOUT"
    grep -q "^https://127.0.0.1:$NGINX_H2/size-16384 200 connect=200$" "$STDOUT"
    [ "$(distinct_ports NGHTTPX)" = 1 ] || fail "$(nghttpx_lines NGHTTPX)"
}

@test "Basic auth through nghttpx to Squid: -U on the CONNECT stream; 407 named, exit 56" {
    need_server NGHTTPX_AUTH
    run_h2get -v -U "$PROXY_USER:$PROXY_PASS" --cacert "$CA" --proxy-cacert "$CA" \
        -x "https://localhost:$NGHTTPX_AUTH" -o out "https://localhost:$NGINX_H2/size-16385"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    refute_secret
    [ "$(squid_log_count SQUID_AUTH "TCP_TUNNEL/200 .* CONNECT localhost:$NGINX_H2 $PROXY_USER ")" = 1 ]
    run_h2get -U "$PROXY_USER:wrong" --cacert "$CA" --proxy-cacert "$CA" \
        -x "https://localhost:$NGHTTPX_AUTH" -w '%{http_connect}\n' "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "proxy https://localhost:$NGHTTPX_AUTH: CONNECT to 'localhost:$NGINX_H2' answered 407 \(the proxy refused the credentials\)$"
    assert_stdout_is "407
"
    run_h2get --cacert "$CA" --proxy-cacert "$CA" -x "https://localhost:$NGHTTPX_AUTH" \
        "https://localhost:$NGINX_H2/size-1"
    assert_status 56
    assert_error_line 56 "answered 407 \(the proxy wants credentials: -U USER:PASSWORD\)$"
}
