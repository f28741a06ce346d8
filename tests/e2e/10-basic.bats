#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Fetching a URL: byte-exact bodies of every docroot size (0 B, 1 B, around one 16 KiB
# frame, 1 MiB, 100 MiB) over h2 (nghttpd and nginx, TLS), h2c with prior knowledge, the
# h2c upgrade (scripted peer: nghttpd and nginx do not upgrade), HTTP/1.1 by flag, by ALPN
# fallback and on plain http://; then -o vs stdout, -O, several URLs at once, and -i / -I /
# -D header output (E2E_PROTO picks the protocol of this second group).

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot big
    [ -s "${CA:-}" ] || return 0
    start_nghttpd NGHTTPD_TLS tls
    start_nghttpd NGHTTPD_H2C h2c
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

# fetch_sizes BASE-URL H2GET-OPTIONS...: every size-N file, byte-exact, through -o.
fetch_sizes() {
    local base=$1 n
    shift
    for n in $E2E_SIZES; do
        run_h2get "$@" -o "out-$n" "$base/size-$n"
        assert_status 0
        assert_file_sha "out-$n" "$(doc_sha "size-$n")"
        rm -f "out-$n"
    done
}

@test "h2 over TLS, nghttpd: every size byte-exact" {
    proto_only h2
    need_server NGHTTPD_TLS
    fetch_sizes "https://localhost:$NGHTTPD_TLS" --cacert "$CA"
}

@test "h2 over TLS, nginx: every size byte-exact" {
    proto_only h2
    need_server NGINX_H2
    fetch_sizes "https://localhost:$NGINX_H2" --cacert "$CA"
}

@test "h2c with --http2-prior-knowledge, nghttpd: every size byte-exact" {
    proto_only h2c
    need_server NGHTTPD_H2C
    fetch_sizes "http://localhost:$NGHTTPD_H2C" --http2-prior-knowledge
}

@test "h2c with --http2-prior-knowledge, nginx: every size byte-exact" {
    proto_only h2c
    need_server NGINX_H2
    fetch_sizes "http://localhost:$NGINX_H2C" --http2-prior-knowledge
}

@test "http:// without options speaks HTTP/1.1 and sends no h2c Upgrade (scripted peer)" {
    # Issue 3: plain http:// uses HTTP/1.1 by default; RFC 9113 §3.1 deprecates the h2c
    # Upgrade, so h2get never sends it (h2c needs --http2-prior-knowledge).
    proto_only h2c
    PEER_MODE=h2c start_peer ok
    run_h2get -o out "$PEER_URL/plain"
    assert_status 0
    peer_wait_end
    assert_peer_log '^c1 h1 request GET /plain HTTP/1\.1$'
    refute_peer_log 'upgrade'
    refute_peer_log 'PREFACE'
}

@test "--http1.1 over TLS, nginx: every size byte-exact" {
    proto_only h1
    need_server NGINX_H2
    fetch_sizes "https://localhost:$NGINX_H2" --cacert "$CA" --http1.1
}

@test "ALPN fallback to HTTP/1.1 (nginx without http2): every size byte-exact" {
    proto_only h1
    need_server NGINX_H2
    fetch_sizes "https://localhost:$NGINX_H1TLS" --cacert "$CA"
}

@test "plain http:// to an HTTP/1.1-only server (nginx): every size byte-exact" {
    proto_only h1
    need_server NGINX_H2
    fetch_sizes "http://localhost:$NGINX_PLAIN"
}

@test "-v says when ALPN fell back to HTTP/1.1" {
    proto_only h1
    need_server NGINX_H2
    run_h2get -v --cacert "$CA" -o out "https://localhost:$NGINX_H1TLS/size-1"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1)"
    assert_stderr 'http/1\.1'
}

# --- the rest runs over $(e2e_proto) against nginx ------------------------------------

@test "stdout and -o carry the same bytes" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url size-16385)"
    assert_status 0
    assert_stdout_sha "$(doc_sha size-16385)"
    run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url size-16385)"
    assert_status 0
    assert_file_sha out "$(doc_sha size-16385)"
    [ ! -s "$STDOUT" ] || fail "body also went to stdout with -o"
}

@test "an empty body gives an empty file, not a missing one" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url size-0)"
    assert_status 0
    assert_file_sha out "$(doc_sha size-0)"
}

@test "-O names the file after the last path segment" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -O "$(origin_url dir/file.txt)"
    assert_status 0
    assert_file_sha file.txt "$(doc_sha dir/file.txt)"
    assert_dir_entries . 1
}

@test "-O with an empty path saves index.html" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -O "$(origin_url '')"
    assert_status 0
    assert_file_sha index.html "$(doc_sha index.html)"
}

@test "several URLs in one invocation, each -o in order" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -o a "$(origin_url size-1)" -o b "$(origin_url size-16384)" \
        -o c "$(origin_url size-1048576)" -o d "$(origin_url size-0)"
    assert_status 0
    assert_file_sha a "$(doc_sha size-1)"
    assert_file_sha b "$(doc_sha size-16384)"
    assert_file_sha c "$(doc_sha size-1048576)"
    assert_file_sha d "$(doc_sha size-0)"
}

@test "several URLs to stdout are written whole, in command-line order" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url size-1048576)" "$(origin_url size-16385)"
    assert_status 0
    cat "$E2E_DOCROOT/size-1048576" "$E2E_DOCROOT/size-16385" >want
    assert_stdout_sha "$(file_sha want)"
}

@test "-i prints the status line and fields, an empty line, then the exact body" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -i "$(origin_url size-16384)"
    assert_status 0
    split_head "$STDOUT" head body
    assert_status_line head 200
    assert_field head content-length 16384
    assert_file_sha body "$(doc_sha size-16384)"
}

@test "-I sends HEAD and prints only the header fields" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -I "$(origin_url size-1048576)"
    assert_status 0
    assert_status_line "$STDOUT" 200
    assert_field "$STDOUT" content-length 1048576
    [ "$(wc -c <"$STDOUT")" -lt 2048 ] || fail "HEAD output carries a body"
    grep -q '"HEAD /size-1048576 HTTP/' "$NGINX_DIR/access.log" || fail "nginx saw no HEAD"
}

@test "-D writes the header fields to a file and leaves the body exact" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -D hdrs -o out "$(origin_url size-16383)"
    assert_status 0
    assert_status_line hdrs 200
    assert_field hdrs content-length 16383
    assert_file_sha out "$(doc_sha size-16383)"
}

@test "-D to a file that cannot be written: a warning, the transfer goes on (exit 0)" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -D /nonexistent-dir/hdrs -o out "$(origin_url size-1)"
    assert_status 0
    [ "$(cat "$STDERR")" = "h2get: warning: cannot write headers to '/nonexistent-dir/hdrs': No such file or directory" ] ||
        fail "stderr" "$(h2get_context)"
    assert_file_sha out "$(doc_sha size-1)"
    [ -w /dev/full ] || skip_or_die "no /dev/full"
    run_h2get "${ORIGIN_ARGS[@]}" -D /dev/full -o out "$(origin_url size-1)"
    assert_status 0
    [ "$(cat "$STDERR")" = "h2get: warning: cannot write headers to '/dev/full': No space left on device" ] ||
        fail "a write error must not pass silently" "$(h2get_context)"
}

@test "an HTTP error status is not a transfer error without --fail" {
    origin_args
    run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url status/404)"
    assert_status 0
    grep -q 'not found (e2e)' out || fail "404 body not written"
}
