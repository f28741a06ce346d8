#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --compressed (issue 14): accept-encoding sent, gzip from nginx's gzip_static, deflate, br,
# zstd and stacked codings decoded byte-exact; without the flag bytes pass unchanged; an
# unknown coding is exit 61 as curl; corrupt bodies (truncated gzip, brotli with trailing
# garbage, a zstd frame claiming 1 TiB) exit 61 with one line and leave no output file; a
# bomb of 10 GiB decoded stops at --max-decompressed-ratio (61) or --max-filesize (63)
# with flat memory. Fixtures are made here with gzip, brotli and zstd and served by nginx
# as they are (/coded/NAME?ce=LIST), over $(e2e_proto).

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    make_coded
    [ -s "${CA:-}" ] || return 0
    start_nginx
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    origin_args
}

teardown() {
    e2e_teardown
}

# make_coded: docroot/gz/ (text and text.gz for gzip_static) and docroot/coded/ (each
# coding, stacked codings, the faults, and the bomb: 80 zstd frames of 128 MiB of zeros).
make_coded() {
    local c="$E2E_DOCROOT/coded" t
    for t in gzip brotli zstd; do
        command -v "$t" >/dev/null || { missing NGINX_H2 "'$t' is not installed (make deps)"; return 0; }
    done
    mkdir -p "$c" "$E2E_DOCROOT/gz"
    seq 1 200000 >"$c/text"
    cp "$c/text" "$E2E_DOCROOT/gz/text"
    gzip -9c "$c/text" >"$E2E_DOCROOT/gz/text.gz"
    gzip -c "$c/text" >"$c/text.gz"
    "$E2E_PY" -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], "rb").read()))' \
        "$c/text" >"$c/text.zlib"
    "$E2E_PY" -c 'import sys, zlib; o = zlib.compressobj(6, zlib.DEFLATED, -15); d = open(sys.argv[1], "rb").read(); sys.stdout.buffer.write(o.compress(d) + o.flush())' \
        "$c/text" >"$c/text.rawdeflate"
    brotli -c "$c/text" >"$c/text.br"
    zstd -qc "$c/text" >"$c/text.zst"
    # "content-encoding: gzip, br, zstd": gzip applied first, zstd last
    gzip -c "$c/text" | brotli -c | zstd -qc >"$c/text.gz.br.zst"
    head -c $(($(wc -c <"$c/text.gz") - 9)) "$c/text.gz" >"$c/truncated.gz"
    { cat "$c/text.br"; printf 'trailing garbage'; } >"$c/garbage.br"
    { cat "$c/text.gz"; printf 'trailing garbage'; } >"$c/garbage.gz"
    # RFC 8878 §3.1.1: a single-segment frame whose content size (so its window) is 1 TiB
    printf '\x28\xb5\x2f\xfd\xe0\x00\x00\x00\x00\x00\x01\x00\x00\x29\x00\x00hello' >"$c/tera.zst"
    head -c 128M /dev/zero | zstd -q -1 -c >"$BATS_FILE_TMPDIR/zeros.zst"
    for t in $(seq 80); do cat "$BATS_FILE_TMPDIR/zeros.zst"; done >"$c/bomb.zst"
    sha256sum "$c/text" | cut -d' ' -f1 >"$BATS_FILE_TMPDIR/text.sha"
}

text_sha() {
    cat "$E2E_TMP/text.sha"
}

coded_size() {
    wc -c <"$E2E_DOCROOT/coded/$1" | tr -d ' '
}

@test "--compressed sends accept-encoding: gzip, deflate, br, zstd; without it none" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed "$(origin_url echo-encoding)"
    assert_status 0
    assert_stdout_is $'accept-encoding=gzip, deflate, br, zstd\n'
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo-encoding)"
    assert_status 0
    assert_stdout_is $'accept-encoding=\n'
    # -H replaces it, as for h2get's other own fields
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -H 'accept-encoding: br' "$(origin_url echo-encoding)"
    assert_stdout_is $'accept-encoding=br\n'
}

@test "gzip_static: decoded byte-exact; size_download is the wire size, size_decoded the body's" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out -w '%{size_download} %{size_decoded}\n' \
        "$(origin_url gz/text)"
    assert_status 0
    assert_file_sha out "$(text_sha)"
    [ "$(cat "$STDOUT")" = "$(wc -c <"$E2E_DOCROOT/gz/text.gz") $(wc -c <out)" ] ||
        fail "sizes: $(cat "$STDOUT")"
}

@test "gzip made on the fly by nginx (chunked over HTTP/1.1): decoded byte-exact" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -i -o out "$(origin_url gzip/gz/text)"
    assert_status 0
    split_head out "$BATS_TEST_TMPDIR/head" "$BATS_TEST_TMPDIR/body"
    assert_field "$BATS_TEST_TMPDIR/head" content-encoding gzip
    if [ "$(e2e_proto)" = h1 ]; then
        assert_field "$BATS_TEST_TMPDIR/head" transfer-encoding chunked
    fi
    assert_file_sha "$BATS_TEST_TMPDIR/body" "$(text_sha)"
}

@test "without --compressed the bytes pass unchanged, even when they are coded" {
    run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url gz/text)"
    assert_status 0
    assert_file_sha out "$(text_sha)"
    run_h2get "${ORIGIN_ARGS[@]}" -H 'accept-encoding: gzip' -o out "$(origin_url gz/text)"
    assert_status 0
    assert_file_sha out "$(file_sha "$E2E_DOCROOT/gz/text.gz")"
    run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url 'coded/truncated.gz?ce=gzip')"
    assert_status 0
    assert_file_sha out "$(file_sha "$E2E_DOCROOT/coded/truncated.gz")"
}

@test "deflate (zlib and raw), br and zstd decode byte-exact" {
    local f
    for f in text.gz:gzip text.zlib:deflate text.rawdeflate:deflate text.br:br text.zst:zstd \
        text.gz:x-gzip text.br:BR; do
        run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out -w '%{size_download}' \
            "$(origin_url "coded/${f%%:*}?ce=${f#*:}")"
        assert_status 0
        assert_file_sha out "$(text_sha)"
        [ "$(cat "$STDOUT")" = "$(coded_size "${f%%:*}")" ] || fail "$f: size_download $(cat "$STDOUT")"
    done
}

@test "stacked codings are undone in reverse order: gzip, br, zstd (and identity)" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed "$(origin_url 'coded/text.gz.br.zst?ce=gzip,identity,br,zstd')"
    assert_status 0
    assert_stdout_sha "$(text_sha)"
    # the list may come in several fields (RFC 9110 §5.3): one list in field order
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -i "$(origin_url 'coded/text.gz.br.zst?ce=gzip&ce2=br,zstd')"
    assert_status 0
    split_head "$STDOUT" "$BATS_TEST_TMPDIR/head" "$BATS_TEST_TMPDIR/body"
    assert_field "$BATS_TEST_TMPDIR/head" content-encoding gzip
    assert_field "$BATS_TEST_TMPDIR/head" content-encoding br,zstd
    assert_file_sha "$BATS_TEST_TMPDIR/body" "$(text_sha)"
    # the same layers in the wrong order cannot decode: 61
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out "$(origin_url 'coded/text.gz.br.zst?ce=zstd,br,gzip')"
    assert_status 61
    assert_error_line 61 'bad content encoding: corrupt gzip data'
    assert_dir_entries . 0
}

@test "a coding h2get does not know: exit 61 with --compressed (as curl), passed through without" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out "$(origin_url 'coded/text.gz?ce=gzip,compress')"
    assert_status 61
    assert_error_line 61 "unrecognized content coding in 'content-encoding: gzip,compress' \\(h2get decodes gzip, deflate, br, zstd\\)"
    assert_dir_entries . 0
    run_h2get "${ORIGIN_ARGS[@]}" -o out "$(origin_url 'coded/text.gz?ce=compress')"
    assert_status 0
    assert_file_sha out "$(file_sha "$E2E_DOCROOT/coded/text.gz")"
}

@test "truncated gzip: exit 61, one line, no output file left" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out "$(origin_url 'coded/truncated.gz?ce=gzip')"
    assert_status 61
    assert_error_line 61 '^h2get: \(61\) bad content encoding: truncated gzip data$'
    assert_dir_entries . 0
}

@test "brotli (and gzip) with trailing garbage: exit 61, no output file left" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out "$(origin_url 'coded/garbage.br?ce=br')"
    assert_status 61
    assert_error_line 61 '^h2get: \(61\) bad content encoding: data after the end of the brotli stream$'
    assert_dir_entries . 0
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out "$(origin_url 'coded/garbage.gz?ce=gzip')"
    assert_status 61
    assert_error_line 61 '^h2get: \(61\) bad content encoding: data after the end of the gzip stream$'
    assert_dir_entries . 0
}

@test "a zstd frame claiming 1 TiB: exit 61 at once, nothing allocated for it" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out -w '%{size_decoded}' \
        "$(origin_url 'coded/tera.zst?ce=zstd')"
    assert_status 61
    assert_error_line 61 'zstd window larger than 8 MiB'
    assert_stdout_is 0
    assert_dir_entries . 0
}

@test "a 10 GiB zstd bomb stops at --max-decompressed-ratio (61) within one chunk, no file left" {
    local wire decoded
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -o out -w '%{size_download} %{size_decoded}\n' \
        "$(origin_url 'coded/bomb.zst?ce=zstd')"
    assert_status 61
    assert_error_line 61 'the body expands more than 1000 times .*--max-decompressed-ratio'
    assert_dir_entries . 0
    read -r wire decoded <"$STDOUT"
    # written up to the last 64 KiB chunk within 1000 x what had arrived (past 1 MiB)
    [ "$decoded" -gt $((1024 * 1024 - 65536)) ] && [ "$decoded" -le $((1000 * wire)) ] &&
        [ "$decoded" -gt $((1000 * wire - 65536)) ] ||
        fail "decoded $decoded bytes from $wire"
}

@test "the bomb with no ratio bound stops at --max-filesize (63) with flat memory" {
    need_cmd time
    # 1 GiB decoded into /dev/null: peak RSS (KiB) stays that of a small download
    STDOUT="$BATS_TEST_TMPDIR/stdout"
    status=0
    timeout -k 5 "$E2E_TIMEOUT" /usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" "$H2GET" \
        "${ORIGIN_ARGS[@]}" --compressed --max-decompressed-ratio 0 --max-filesize 1G \
        -o /dev/null -w '%{size_decoded}' "$(origin_url 'coded/bomb.zst?ce=zstd')" \
        >"$STDOUT" 2>"$BATS_TEST_TMPDIR/stderr" || status=$?
    STDERR="$BATS_TEST_TMPDIR/stderr"
    assert_status 63
    assert_error_line 63 'the decoded body exceeds --max-filesize 1073741824'
    [ "$(cat "$STDOUT")" -le 1073741824 ] && [ "$(cat "$STDOUT")" -gt 1000000000 ] ||
        fail "decoded $(cat "$STDOUT") bytes"
    assert_rss_growth "$BATS_TEST_TMPDIR/rss" 16384 "1 GiB decoded"
    # into a file: nothing is left of it
    run_h2get "${ORIGIN_ARGS[@]}" --compressed --max-decompressed-ratio 0 --max-filesize 8M \
        -o out "$(origin_url 'coded/bomb.zst?ce=zstd')"
    assert_status 63
    assert_dir_entries . 0
}

@test "corrupt data on stdout: exit 61 and a warning of what was already written" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed "$(origin_url 'coded/truncated.gz?ce=gzip')"
    assert_status 61
    assert_error_line 61 'truncated gzip data'
    assert_stderr "^h2get: warning: $(wc -c <"$STDOUT" | tr -d ' ') bytes of the body were already written to stdout$"
    cmp -s "$STDOUT" <(head -c "$(wc -c <"$STDOUT")" "$E2E_DOCROOT/coded/text") ||
        fail "stdout is not the start of the decoded text"
}

@test "scripted peer: two gzip members one byte per DATA frame decode as one body" {
    start_peer coded_bytewise
    run_h2get "${PEER_ARGS[@]}" --compressed -w '%{size_download} %{size_decoded}\n' \
        "$PEER_URL/coded"
    assert_status 0
    "$E2E_PY" -c 'import sys; sys.stdout.write("a coded body, one byte per DATA frame\n" * 40)' \
        >"$BATS_TEST_TMPDIR/want"
    printf '%s %s\n' "$(grep -c '^c1 send DATA' "$PEER_LOG" | awk '{ print $1 - 1 }')" \
        "$(wc -c <"$BATS_TEST_TMPDIR/want" | tr -d ' ')" >>"$BATS_TEST_TMPDIR/want"
    cmp -s "$BATS_TEST_TMPDIR/want" "$STDOUT" ||
        fail "stdout differs" "$(tail -2 "$STDOUT")" "$(tail -1 "$BATS_TEST_TMPDIR/want")"
}

@test "HEAD and 304 with a content-encoding decode nothing and succeed" {
    run_h2get "${ORIGIN_ARGS[@]}" --compressed -I "$(origin_url 'coded/truncated.gz?ce=gzip')"
    assert_status 0
    assert_field "$STDOUT" content-encoding gzip
}
