#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Name resolution and transport options (issue 3): --resolve, --connect-to, -4, -6,
# --keylog and SSLKEYLOGFILE, --tlsv1.3 against --tls-max 1.2.

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
    need_server NGHTTPD_TLS
}

teardown() {
    e2e_teardown
}

@test "--resolve sends a name that does not exist to 127.0.0.1, keeping it for SNI and checks" {
    # the certificate is for localhost: verification against 'localhost' must still pass
    run_h2get --cacert "$CA" --resolve "localhost:$NGHTTPD_TLS:127.0.0.1" -o out \
        -w '%{remote_ip}' "https://localhost:$NGHTTPD_TLS/size-16384"
    assert_status 0
    assert_stdout_is 127.0.0.1
    assert_file_sha out "$(doc_sha size-16384)"
    run_h2get --cacert "$CA" --resolve "no-such-host.invalid:$NGHTTPD_TLS:127.0.0.1" \
        "https://no-such-host.invalid:$NGHTTPD_TLS/size-1"
    assert_status 60 # resolved, connected, and the name is not in the certificate
}

@test "--connect-to reaches the real port while the URL names another" {
    run_h2get --cacert "$CA" --connect-to "localhost:1:localhost:$NGHTTPD_TLS" -o out \
        -w '%{remote_port}' "https://localhost:1/size-1"
    assert_status 0
    assert_stdout_is "$NGHTTPD_TLS"
    assert_file_sha out "$(doc_sha size-1)"
}

@test "--resolve and --connect-to with bad syntax: exit 2" {
    run_h2get --resolve 'nonsense' "https://localhost:$NGHTTPD_TLS/"
    assert_status 2
    run_h2get --connect-to 'a:b' "https://localhost:$NGHTTPD_TLS/"
    assert_status 2
}

@test "-4 connects over IPv4; -6 to an IPv4-only name fails to resolve (exit 6)" {
    run_h2get -4 --cacert "$CA" -o /dev/null -w '%{remote_ip}' \
        "https://127.0.0.1:$NGHTTPD_TLS/size-1"
    assert_status 0
    assert_stdout_is 127.0.0.1
    run_h2get -6 --cacert "$CA" "https://127.0.0.1:$NGHTTPD_TLS/size-1"
    assert_status 6
}

@test "--keylog and SSLKEYLOGFILE both get the TLS secrets in NSS key-log format" {
    run_h2get --cacert "$CA" --keylog keys -o /dev/null "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 0
    grep -Eq '^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|CLIENT_RANDOM) [0-9a-f]{64} [0-9a-f]+$' keys ||
        fail "no key-log lines" "$(cat keys)"
    SSLKEYLOGFILE=$PWD/env-keys run_h2get --cacert "$CA" -o /dev/null \
        "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 0
    [ -s env-keys ] || fail "SSLKEYLOGFILE got nothing"
}

@test "--tlsv1.3 with --tls-max 1.2 is a usage error (exit 2)" {
    run_h2get --tlsv1.3 --tls-max 1.2 --cacert "$CA" "https://localhost:$NGHTTPD_TLS/"
    assert_status 2
}
