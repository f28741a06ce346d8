#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Conditional requests and redirect credentials (issue 14): -z, --etag-save,
# --etag-compare and --location-trusted against nginx (h2, h2c, HTTP/1.1 by E2E_PROTO).

load helpers

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
    origin_args
}

teardown() {
    e2e_teardown
}

@test "-z FILE: a 304 leaves the file as it is; an older file is fetched again" {
    printf 'local copy\n' >index.html
    # nginx's if_modified_since is "exact" by default: the very time of its file
    touch -r "$E2E_DOCROOT/index.html" index.html
    run_h2get "${ORIGIN_ARGS[@]}" -v -z index.html -o index.html "$(origin_url index.html)"
    assert_status 0
    [ "$(cat index.html)" = "local copy" ] || fail "$(cat index.html)"
    assert_stderr "^> if-modified-since: $(TZ=GMT date -r index.html '+%a, %d %b %Y %H:%M:%S GMT')"
    assert_stderr 'not modified: index.html is left as it is'
    touch -d '2000-01-01' index.html
    run_h2get "${ORIGIN_ARGS[@]}" -z index.html -o index.html "$(origin_url index.html)"
    assert_status 0
    assert_file_sha index.html "$(doc_sha index.html)"
    assert_dir_entries . 1
}

@test "-z DATE and -z -DATE: if-modified-since and if-unmodified-since (412)" {
    run_h2get "${ORIGIN_ARGS[@]}" -z 'Sun, 06 Nov 1994 08:49:37 GMT' "$(origin_url size-1)"
    assert_status 0
    assert_stdout_sha "$(doc_sha size-1)"
    run_h2get "${ORIGIN_ARGS[@]}" -f -z '-Sun, 06 Nov 1994 08:49:37 GMT' "$(origin_url size-1)"
    assert_status 22
    assert_error_line 22 'returned error: 412'
}

@test "-z FILE -o FILE before FILE exists: a warning, no condition (curl's first-run habit)" {
    run_h2get "${ORIGIN_ARGS[@]}" -v -z notyet.html -o notyet.html "$(origin_url index.html)"
    assert_status 0
    assert_stderr "warning: 'notyet.html' does not exist yet: no time condition"
    refute_stderr '^> if-'
    assert_file_sha notyet.html "$(doc_sha index.html)"
}

@test "-z with neither a date nor a file: a usage error naming the value, exit 2" {
    run_h2get "${ORIGIN_ARGS[@]}" -z 'Sun, 32 Nov 1994' "$(origin_url size-1)"
    assert_status 2
    assert_error_line 2 "'--time-cond': 'Sun, 32 Nov 1994' is neither a date nor an existing file"
    [ ! -s "$STDOUT" ] || fail "a body: $(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" -z -notyet.html -o other "$(origin_url size-1)"
    assert_status 2
    assert_error_line 2 "'-notyet.html' is neither a date nor an existing file"
}

# -z FORM... : each free-form date is sent as the IMF-fixdate of the time it names.
assert_time_cond_sent() {
    local want=$1 form
    shift
    for form in "$@"; do
        run_h2get "${ORIGIN_ARGS[@]}" -v -z "$form" "$(origin_url size-1)"
        assert_status 0
        grep -Fqx "> if-modified-since: $want" "$STDERR" || fail "-z '$form'" "$(cat "$STDERR")"
    done
}

@test "-z: the three HTTP-date forms, without weekday, time or zone, in any order" {
    assert_time_cond_sent 'Sun, 06 Nov 1994 08:49:37 GMT' \
        'Sun, 06 Nov 1994 08:49:37 GMT' 'Sunday, 06-Nov-94 08:49:37 GMT' \
        'Sun Nov  6 08:49:37 1994' '06 Nov 1994 08:49:37 GMT' '06-Nov-94 08:49:37 GMT' \
        'Nov  6 08:49:37 1994' '06 Nov 1994 08:49:37' '1994 Nov 6 08:49:37' \
        'GMT 08:49:37 06-Nov-94 Sunday' '94 6 Nov 08:49:37'
    assert_time_cond_sent 'Sun, 06 Nov 1994 00:00:00 GMT' \
        '1994 Nov 6' '06-Nov-94' 'Sun Nov 6 94' '1994.Nov.6' 'Sun/Nov/6/94/GMT'
}

@test "-z: zone names, military letters and +hhmm offsets" {
    assert_time_cond_sent 'Sun, 06 Nov 1994 07:49:37 GMT' 'Sun, 06 Nov 1994 08:49:37 CET' \
        '06 Nov 1994 08:49:37 A'
    assert_time_cond_sent 'Sun, 06 Nov 1994 13:49:37 GMT' '06 Nov 1994 08:49:37 EST'
    assert_time_cond_sent 'Sun, 12 Sep 2004 22:05:58 GMT' 'Sun, 12 Sep 2004 15:05:58 -0700'
    assert_time_cond_sent 'Sat, 11 Sep 2004 19:32:11 GMT' 'Sat, 11 Sep 2004 21:32:11 +0200'
}

@test "-z: YYYYMMDD with a time and an offset" {
    assert_time_cond_sent 'Sun, 12 Sep 2004 22:05:58 GMT' '20040912 15:05:58 -0700'
    assert_time_cond_sent 'Fri, 10 Sep 2004 22:00:00 GMT' '20040911 +0200'
}

@test "-z +DATE, -z -DATE and -z =DATE: curl's prefixes pick the field" {
    run_h2get "${ORIGIN_ARGS[@]}" -v -z '+1994.Nov.6' "$(origin_url size-1)"
    assert_status 0
    assert_stderr '^> if-modified-since: Sun, 06 Nov 1994 00:00:00 GMT'
    run_h2get "${ORIGIN_ARGS[@]}" -v -f -z '-20040911 +0200' "$(origin_url size-1)"
    assert_status 22
    assert_stderr '^> if-unmodified-since: Fri, 10 Sep 2004 22:00:00 GMT'
    run_h2get "${ORIGIN_ARGS[@]}" -v -z '=Sun/Nov/6/94' "$(origin_url size-1)"
    assert_status 0
    assert_stderr '^> last-modified: Sun, 06 Nov 1994 00:00:00 GMT'
    refute_stderr '^> if-'
}

@test "--etag-save, then --etag-compare: 304, nothing rewritten" {
    run_h2get "${ORIGIN_ARGS[@]}" --etag-save etag -o page "$(origin_url index.html)"
    assert_status 0
    grep -Eq '^"[0-9a-f]+-[0-9a-f]+"$' etag || fail "etag: $(cat etag)"
    printf 'mine\n' >page
    run_h2get "${ORIGIN_ARGS[@]}" -v --etag-compare etag --etag-save etag -o page \
        "$(origin_url index.html)"
    assert_status 0
    assert_stderr "^> if-none-match: $(cat etag)"
    [ "$(cat page)" = mine ] || fail "$(cat page)"
    run_h2get "${ORIGIN_ARGS[@]}" --etag-compare nosuch -o page2 "$(origin_url index.html)"
    assert_status 0
    assert_stderr "cannot read 'nosuch'"
    assert_file_sha page2 "$(doc_sha index.html)"
}

@test "--location-trusted sends -u to the other host a redirect leads to; without, never" {
    run_h2get "${ORIGIN_ARGS[@]}" -L -u u:p "$(origin_url redirect-cross)"
    assert_status 0
    grep -q 'auth= ' "$STDOUT" || fail "$(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" -L --location-trusted -u u:p "$(origin_url redirect-cross)"
    assert_status 0
    grep -q 'auth=Basic dTpw ' "$STDOUT" || fail "$(cat "$STDOUT")"
}

@test "--netrc-file: the host's entry as basic credentials, -v names the login; -u wins" {
    printf 'machine other.example login x password y\nmachine localhost\n  login "u"\n  password "p w"\n' >netrc
    run_h2get "${ORIGIN_ARGS[@]}" -v --netrc-file netrc "$(origin_url echo)"
    assert_status 0
    grep -q "auth=Basic $(printf 'u:p w' | base64) " "$STDOUT" || fail "$(cat "$STDOUT")"
    assert_stderr "using the credentials of 'u' for localhost \(netrc\)"
    run_h2get "${ORIGIN_ARGS[@]}" --netrc-file netrc -u a:b "$(origin_url echo)"
    grep -q "auth=Basic $(printf 'a:b' | base64) " "$STDOUT" || fail "$(cat "$STDOUT")"
}

@test "--netrc reads ~/.netrc; after a redirect each host gets its own entry, or default" {
    mkdir home
    printf 'machine localhost login u password p\n' >home/.netrc
    HOME=$PWD/home run_h2get "${ORIGIN_ARGS[@]}" -L --netrc "$(origin_url redirect-cross)"
    assert_status 0
    grep -q 'auth= ' "$STDOUT" || fail "$(cat "$STDOUT")"
    printf 'machine localhost login u password p\ndefault login d password e\n' >home/.netrc
    HOME=$PWD/home run_h2get "${ORIGIN_ARGS[@]}" -L --netrc-optional "$(origin_url redirect-cross)"
    assert_status 0
    grep -q "auth=Basic $(printf 'd:e' | base64) " "$STDOUT" || fail "$(cat "$STDOUT")"
    rm home/.netrc
    HOME=$PWD/home run_h2get "${ORIGIN_ARGS[@]}" --netrc "$(origin_url echo)"
    assert_status 0
}

@test "a broken or missing --netrc-file is exit 26 before any request" {
    printf 'machine localhost login "unterminated\n' >netrc
    run_h2get "${ORIGIN_ARGS[@]}" --netrc-file netrc "$(origin_url echo)"
    assert_status 26
    assert_error_line 26 "'netrc': an unterminated quote"
    run_h2get "${ORIGIN_ARGS[@]}" --netrc-file nosuch "$(origin_url echo)"
    assert_status 26
    assert_error_line 26 "cannot read 'nosuch'"
}
