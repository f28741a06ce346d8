#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The system trust store, anchor by anchor (issue 12): without --cacert/--capath, h2get
# reads only the anchors whose subject hash (OpenSSL's, as `openssl x509 -hash` prints
# it) names an issuer of the server's chain, from SSL_CERT_DIR, and loads the whole store
# (SSL_CERT_FILE) only when those do not verify the chain. Each case below must end exactly
# as it ends with that whole store given as --cacert: a good chain, an unknown CA, a wrong
# host name, an expired certificate, a missing intermediate, and a cross-signed chain whose
# old root is in no store.

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    [ -s "${CA:-}" ] || return 0
    make_trust_certs
    start_nghttpd NGHTTPD_TLS tls
    E2E_NGHTTPD_CERT=unknown start_nghttpd NGHTTPD_UNKNOWN tls
    E2E_NGHTTPD_CERT=wronghost start_nghttpd NGHTTPD_WRONGHOST tls
    E2E_NGHTTPD_CERT=expired start_nghttpd NGHTTPD_EXPIRED tls
    E2E_NGHTTPD_CERT=nointer start_nghttpd NGHTTPD_NOINTER tls
    E2E_NGHTTPD_CERT=cross start_nghttpd NGHTTPD_CROSS tls
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_certs
    command -v openssl >/dev/null || skip_or_die "openssl is not installed (make deps)"
}

teardown() {
    e2e_teardown
}

# make_trust_certs: an intermediate CA under the test CA with a leaf that is served without
# it (nointer); a second root (root2) that is also cross-signed by a root nobody trusts
# (root1), an intermediate under root2 and a leaf served with its intermediate and the
# cross-signed root2 (cross). The hashed directory holds the test CA and root2 under
# their OpenSSL names, next to the test CA's name as a bundle; the whole store (a file)
# holds them and the CA of nothing.
make_trust_certs() {
    local d=$E2E_CERTS leaf=(organization='"h2get-e2e"' tls_www_server signing_key
        encryption_key expiration_days=30 dns_name='"localhost"' ip_address='"127.0.0.1"')
    local ca=(organization='"h2get-e2e"' ca cert_signing_key expiration_days=30)
    cert_make inter ca cn='"h2get-e2e intermediate"' serial=20 "${ca[@]}" &&
        cert_make nointer inter cn='"localhost"' serial=21 "${leaf[@]}" &&
        cert_make root1 - cn='"h2get-e2e old root"' serial=22 "${ca[@]}" &&
        cert_make root2 - cn='"h2get-e2e  New   Root"' serial=23 "${ca[@]}" &&
        cert_make inter2 root2 cn='"h2get-e2e intermediate 2"' serial=24 "${ca[@]}" &&
        cert_make leaf2 inter2 cn='"localhost"' serial=25 "${leaf[@]}" ||
        fail "certtool failed"
    # root2's key and subject, signed by root1
    certtool --generate-certificate --load-privkey "$d/root2.key" \
        --load-ca-certificate "$d/root1.pem" --load-ca-privkey "$d/root1.key" \
        --template "$d/root2.tmpl" --outfile "$d/root2-by-root1.pem" >/dev/null 2>&1 ||
        fail "certtool failed (cross-signing)"
    cp "$d/leaf2.key" "$d/cross.key"
    cat "$d/leaf2.pem" "$d/inter2.pem" "$d/root2-by-root1.pem" >"$d/cross.pem"
    mkdir -p "$d/hashed"
    ln -s "$CA" "$d/hashed/$(openssl x509 -hash -noout -in "$CA").0"
    ln -s "$d/root2.pem" "$d/hashed/$(openssl x509 -hash -noout -in "$d/root2.pem").0"
    cat "$CA" "$d/root2.pem" >"$d/store.pem"
    export TRUST_DIR="$d/hashed" TRUST_FILE="$d/store.pem"
}

# run_both ARGS...: h2get with the lazy system store (SSL_CERT_DIR, SSL_CERT_FILE), then
# with the same store as --cacert; both outcomes must be the same. Leaves the first run's.
run_both() {
    run_h2get --cacert "$TRUST_FILE" "$@"
    local want_status=$status want_err=$stderr
    SSL_CERT_DIR=$TRUST_DIR SSL_CERT_FILE=$TRUST_FILE run_h2get -v "$@"
    [ "$status" = "$want_status" ] ||
        fail "exit $status with the lazy store, $want_status with --cacert" "$stderr"
    local got_err
    got_err=$(grep '^h2get: (' "$STDERR" || true)
    [ "$got_err" = "$(grep '^h2get: (' <<<"$want_err" || true)" ] ||
        fail "messages differ" "lazy: $got_err" "--cacert: $want_err"
}

@test "a good chain: one anchor read by its issuer name, not the whole store" {
    run_both -o out "https://localhost:$NGHTTPD_TLS/size-16384"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16384)"
    assert_stderr '^\*   trust: 1 system anchor, read by issuer name$'
    refute_stderr 'whole system store'
}

@test "many URLs of one origin: the anchor is read once" {
    run_both -o a "https://localhost:$NGHTTPD_TLS/size-1" -o b "https://localhost:$NGHTTPD_TLS/size-0"
    assert_status 0
    [ "$(grep -c '^\*   trust: 1 system anchor, read by issuer name$' "$STDERR")" -ge 1 ] ||
        fail "no trust line" "$stderr"
    refute_stderr 'trust: [2-9]'
}

@test "an unknown CA: exit 60 as with the whole store, which was loaded to be sure" {
    run_both -o out "https://localhost:$NGHTTPD_UNKNOWN/size-1"
    assert_status 60
    assert_error_line 60 'signer not found|issuer'
    assert_no_file out
}

@test "a wrong host name: exit 60, the same message" {
    run_both "https://localhost:$NGHTTPD_WRONGHOST/size-1"
    assert_status 60
    assert_error_line 60 'host ?name|name.*(match|expected)'
}

@test "an expired certificate: exit 60, the same message" {
    run_both "https://localhost:$NGHTTPD_EXPIRED/size-1"
    assert_status 60
    assert_error_line 60 'expired'
}

@test "a missing intermediate: exit 60, the same message" {
    run_both "https://localhost:$NGHTTPD_NOINTER/size-1"
    assert_status 60
    assert_error_line 60 'signer not found|issuer'
}

@test "a cross-signed chain whose old root is nowhere: verified by the new root, by name" {
    run_both -o out "https://localhost:$NGHTTPD_CROSS/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    assert_stderr '^\*   trust: 1 system anchor, read by issuer name$'
    refute_stderr 'whole system store'
}

@test "the anchor only in the whole store (not in the directory): verified after loading it" {
    mkdir empty
    run_h2get --cacert "$TRUST_FILE" -o /dev/null "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 0
    SSL_CERT_DIR=$PWD/empty SSL_CERT_FILE=$TRUST_FILE run_h2get -v -o out \
        "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 0
    assert_stderr '^\*   trust: the whole system store'
}

@test "SSL_CERT_FILE that cannot be read: exit 77 naming it" {
    SSL_CERT_FILE=$PWD/nope.pem run_h2get "https://localhost:$NGHTTPD_TLS/size-1"
    assert_status 77
    assert_error_line 77 'nope\.pem'
}
