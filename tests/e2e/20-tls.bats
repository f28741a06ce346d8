#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# TLS and ALPN (PROMISES.md "TLS defaults"): certificates are verified by default, and an
# unknown CA, a wrong host name or an expired certificate each exit 60 with a message
# naming the problem; -k gets through with a warning; a bad --cacert exits 77; IP literals
# match IP SANs and never send SNI; -v shows version, cipher, ALPN, subject, issuer and the
# verify result; --http2-only against an HTTP/1.1-only server exits 121.

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    start_nghttpd NGHTTPD_TLS tls
    E2E_NGHTTPD_CERT=unknown start_nghttpd NGHTTPD_UNKNOWN tls
    E2E_NGHTTPD_CERT=wronghost start_nghttpd NGHTTPD_WRONGHOST tls
    E2E_NGHTTPD_CERT=expired start_nghttpd NGHTTPD_EXPIRED tls
    start_nginx
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    proto_only h2
}

teardown() {
    e2e_teardown
}

@test "a certificate from an unknown CA: exit 60 naming the issuer problem" {
    need_server NGHTTPD_UNKNOWN
    run_h2get --cacert "$CA" -o out "https://localhost:$NGHTTPD_UNKNOWN/size-1"
    assert_status 60
    assert_error_line 60 'issuer|signer|unknown|not trusted|untrusted'
    assert_no_file out
}

@test "a certificate for another host name: exit 60 naming the name mismatch" {
    need_server NGHTTPD_WRONGHOST
    run_h2get --cacert "$CA" -o out "https://localhost:$NGHTTPD_WRONGHOST/size-1"
    assert_status 60
    assert_error_line 60 'host ?name|name.*(match|expected)'
    assert_no_file out
}

@test "an expired certificate: exit 60 naming the expiry" {
    need_server NGHTTPD_EXPIRED
    run_h2get --cacert "$CA" -o out "https://localhost:$NGHTTPD_EXPIRED/size-1"
    assert_status 60
    assert_error_line 60 'expired'
    assert_no_file out
}

@test "verification is on by default: the test CA is not in the system store" {
    need_server NGHTTPD_TLS
    run_h2get -o out "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 60
    assert_error_line 60
    assert_no_file out
}

@test "-k gets past each bad certificate, with a warning on stderr" {
    local server
    for server in NGHTTPD_UNKNOWN NGHTTPD_WRONGHOST NGHTTPD_EXPIRED; do
        need_server "$server"
        run_h2get -k -o "out-$server" "https://localhost:${!server}/size-16385"
        assert_status 0
        assert_file_sha "out-$server" "$(doc_sha size-16385)"
        assert_stderr 'warning|insecure'
    done
}

@test "--cacert that cannot be read: exit 77" {
    need_server NGHTTPD_TLS
    run_h2get --cacert "$BATS_TEST_TMPDIR/no-such-ca.pem" -o out "https://localhost:$NGHTTPD_TLS/"
    assert_status 77
    assert_error_line 77 'no-such-ca\.pem'
    assert_no_file out
}

@test "--cacert that holds no certificate: exit 77" {
    need_server NGHTTPD_TLS
    printf 'not a certificate\n' >garbage.pem
    run_h2get --cacert garbage.pem -o out "https://localhost:$NGHTTPD_TLS/"
    assert_status 77
    assert_error_line 77 'garbage\.pem'
}

@test "an IP literal is verified against the certificate's IP SANs" {
    need_server NGHTTPD_TLS
    run_h2get --cacert "$CA" -o out4 "https://127.0.0.1:$NGHTTPD_TLS/size-16384"
    assert_status 0
    assert_file_sha out4 "$(doc_sha size-16384)"
    if [ "$E2E_IPV6" = 1 ] && getent ahosts localhost | grep -q '^::1 '; then
        run_h2get --cacert "$CA" -o out6 "https://[::1]:$NGHTTPD_TLS/size-16384"
        assert_status 0
        assert_file_sha out6 "$(doc_sha size-16384)"
    fi
}

@test "SNI: the server picks its certificate by the name h2get sends (nginx)" {
    need_server NGINX_H2
    run_h2get --cacert "$CA" -o out "https://localhost:$NGINX_SNI/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
}

@test "SNI carries the host name, and is never sent for an IP literal (peer log)" {
    need_certs
    start_peer ok
    run_h2get "${PEER_ARGS[@]}" "https://localhost:$PEER_PORT/"
    assert_status 0
    run_h2get "${PEER_ARGS[@]}" "https://127.0.0.1:$PEER_PORT/"
    assert_status 0
    peer_wait_end 2
    assert_peer_log '^c1 tls .* sni=localhost$'
    assert_peer_log '^c2 tls .* sni=-$'
}

@test "-v shows TLS version, cipher, ALPN, certificate subject and issuer, verify result" {
    need_server NGHTTPD_TLS
    run_h2get -v --cacert "$CA" -o out "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 0
    assert_stderr 'TLS ?v?1\.[23]'
    assert_stderr 'AES|CHACHA20'
    assert_stderr 'ALPN.*h2'
    assert_stderr 'CN=localhost'
    assert_stderr 'h2get-e2e test CA'
    assert_stderr 'verif(y|ied|ication)'
}

@test "--tls-max 1.2 negotiates TLS 1.2, and -v says so" {
    need_server NGHTTPD_TLS
    run_h2get -v --tls-max 1.2 --cacert "$CA" -o out "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 0
    assert_stderr 'TLS ?v?1\.2'
    refute_stderr 'TLS ?v?1\.3'
}

@test "--http2-only against a server without h2 in ALPN: exit 121" {
    need_server NGINX_H2
    run_h2get --http2-only --cacert "$CA" -o out "https://localhost:$NGINX_H1TLS/size-1"
    assert_status 121
    assert_error_line 121 'http/1\.1|alpn|h2'
    assert_no_file out
}

@test "--http2-prior-knowledge on https:// implies --http2-only: exit 121" {
    need_server NGINX_H2
    run_h2get --http2-prior-knowledge --cacert "$CA" "https://localhost:$NGINX_H1TLS/size-1"
    assert_status 121
    assert_error_line 121
}

@test "the h2-capable server still gets HTTP/1.1 with --http1.1 (ALPN offer honoured)" {
    need_server NGINX_H2
    run_h2get -v --http1.1 --cacert "$CA" -o out "https://localhost:$NGINX_H2/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    grep -q '"GET /size-1 HTTP/1\.1"' "$NGINX_DIR/access.log" || fail "nginx did not see HTTP/1.1"
}

@test "TLS to a port that speaks plain HTTP: handshake failure, exit 35" {
    need_server NGINX_H2
    run_h2get --cacert "$CA" -o out "https://localhost:$NGINX_PLAIN/size-1"
    assert_status 35
    assert_error_line 35
    assert_no_file out
}
