#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The command line (CLI.md, PROMISES.md exit codes): malformed URLs exit 3, unsupported
# schemes 1, usage errors 2 with a message naming the culprit, connection-specific and
# otherwise invalid -H fields are refused before anything is sent unless --raw-headers,
# field names are lower-cased for h2, --help and --version exit 0, and unreachable hosts
# exit 6 / 7.

load helpers

setup_file() {
    e2e_setup_file
    make_certs
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

@test "malformed URLs: exit 3" {
    local url
    for url in 'http://[::1' 'https://' 'http://localhost:99999/' 'http://local host/' \
        'https://localhost:12x/' 'http://[fe80::1/'; do
        run_h2get "$url"
        assert_status 3
        assert_error_line 3
    done
}

@test "a long malformed URL is named whole in the error line and in %{errormsg}" {
    local url
    url="http://a b/$(head -c 1000 /dev/zero | tr '\0' x)"
    run_h2get -w '%{errormsg}' "$url"
    assert_status 3
    [ "$(cat "$STDERR")" = "h2get: (3) malformed URL: '$url': invalid character in host" ] ||
        fail "error line" "$(h2get_context)"
    assert_stdout_is "'$url': invalid character in host"
}

@test "an unsupported scheme: exit 1 naming it" {
    run_h2get ftp://localhost/file
    assert_status 1
    assert_error_line 1 'ftp'
    run_h2get gopher://localhost/
    assert_status 1
}

@test "an unknown option: exit 2 naming it" {
    run_h2get --no-such-option https://localhost/
    assert_status 2
    assert_stderr 'no-such-option'
}

@test "an option without its argument: exit 2" {
    run_h2get https://localhost/ -o
    assert_status 2
    assert_stderr '(-o|--output)'
}

@test "--frames FILE with a space is refused before anything is fetched, naming the spelling that works" {
    run_h2get --frames trace.txt https://localhost:1/
    assert_status 2
    [ "$(head -1 "$STDERR")" = "h2get: (2) usage error: '--frames' takes FILE only as '--frames=FILE': write '--frames=trace.txt', or the URL 'trace.txt' with its scheme" ] ||
        fail "error line" "$(h2get_context)"
    [ ! -e trace.txt ] || fail "trace.txt was created"
    run_h2get --ping 0 https://localhost:1/
    assert_status 2
    assert_error_line 2 "'--ping' takes a count from 1 to 1000, not '0'"
}

@test "the bash, zsh and fish completions load in their shells and offer the options" {
    need_cmd bash zsh fish
    local c=$E2E_ROOT/completions z=$BATS_TEST_TMPDIR/zfunc
    run bash --norc -c "source '$c/h2get.bash' && complete -p h2get &&
        COMP_WORDS=(h2get --progress-) COMP_CWORD=1 && _h2get && printf '%s\n' \"\${COMPREPLY[@]}\""
    [ "$status" = 0 ] && [ "$output" = "complete -o default -F _h2get h2get
--progress-bar" ] || fail "bash: $status: $output"
    # compinit finds _h2get on fpath; its body runs with _arguments stubbed (the real one
    # only runs inside a completion widget) to print the specs it would be given
    mkdir "$z" && cp "$c/h2get.zsh" "$z/_h2get"
    run zsh -f -c "fpath=('$z' \$fpath); autoload -Uz compinit; compinit -u -d '$z/dump' &&
        print -r -- \$_comps[h2get] && _arguments() { print -rl -- \"\$@\" } && _h2get"
    [ "$status" = 0 ] && [ "${lines[0]}" = _h2get ] || fail "zsh: $status: $output"
    grep -qxF -- '(-# --progress-bar)-#[Draw the progress as a bar]' <<<"$output" ||
        fail "zsh: no -# spec" "$output"
    grep -qxF -- '--frames=-[Trace every frame sent and received (to stderr or FILE)]::FILE:_files' \
        <<<"$output" || fail "zsh: no --frames spec" "$output"
    run fish --no-config -c "source '$c/h2get.fish'; and complete -C 'h2get -' | grep '^-#'"
    [ "$status" = 0 ] && [ "$output" = "$(printf -- '-#\tDraw the progress as a bar')" ] ||
        fail "fish: $status: $output"
}

@test "no URL at all: exit 2" {
    run_h2get
    assert_status 2
    assert_stderr 'url'
}

@test "-H with a connection-specific field is refused before connecting: exit 2 naming it" {
    local h
    for h in 'Connection: close' 'Keep-Alive: timeout=5' 'Proxy-Connection: keep-alive' \
        'Transfer-Encoding: chunked' 'Upgrade: websocket'; do
        # port 1 on loopback: nothing listens there, and nothing must be tried
        run_h2get -H "$h" https://127.0.0.1:1/
        assert_status 2
        assert_error_line 2 "${h%%:*}"
    done
}

@test "-H 'TE: gzip' is refused; 'TE: trailers' is allowed (RFC 9113 §8.2.2)" {
    run_h2get -H 'TE: gzip' https://127.0.0.1:1/
    assert_status 2
    assert_error_line 2 'te'
    start_peer ok
    run_h2get "${PEER_ARGS[@]}" -H 'TE: trailers' "$PEER_URL/"
    assert_status 0
    peer_wait_end
    assert_peer_log '^c1 recv field stream=1 te: trailers$'
}

@test "-H with CR or LF in the value is refused: exit 2" {
    local v
    for v in $'a\rb' $'a\nb'; do
        run_h2get -H "X-Bad: $v" https://127.0.0.1:1/
        assert_status 2
        assert_error_line 2 'x-bad'
    done
}

@test "--raw-headers lets a connection-specific field through, case and all" {
    start_peer ok
    run_h2get "${PEER_ARGS[@]}" --raw-headers -H 'Connection: close' "$PEER_URL/raw"
    assert_status 0
    peer_wait_end
    assert_peer_log '^c1 recv field stream=1 Connection: close$'
}

@test "-H field names are lower-cased on HTTP/2, values kept as given" {
    start_peer ok
    run_h2get "${PEER_ARGS[@]}" -H 'X-Mixed-Case: Value As Given' -A 'e2e-agent/1.0' "$PEER_URL/"
    assert_status 0
    peer_wait_end
    assert_peer_log '^c1 recv field stream=1 x-mixed-case: Value As Given$'
    assert_peer_log '^c1 recv field stream=1 user-agent: e2e-agent/1\.0$'
    refute_peer_log 'recv field stream=1 [^:]*[A-Z][^:]*: '
}

@test "--help: exit 0, usage on stdout" {
    run_h2get --help
    assert_status 0
    grep -q -- '--output' "$STDOUT" || fail "--help does not list --output"
    grep -qi 'usage' "$STDOUT" || fail "--help has no usage line"
}

@test "--version: exit 0, name, version and GnuTLS on stdout" {
    run_h2get --version
    assert_status 0
    head -1 "$STDOUT" | grep -Eq '^h2get [0-9]+\.[0-9]+\.[0-9]+' ||
        fail "first line is not 'h2get X.Y.Z':" "$(head -1 "$STDOUT")"
    grep -qi 'gnutls' "$STDOUT" || fail "--version does not mention GnuTLS"
}

@test "nothing listening on the port: exit 7" {
    local port
    port=$(free_port)
    run_h2get -o out "http://127.0.0.1:$port/"
    assert_status 7
    assert_error_line 7 "$port"
    assert_no_file out
}

@test "a host name that does not resolve: exit 6" {
    run_h2get -m 20 -o out 'http://no-such-host.invalid/'
    assert_status 6
    assert_error_line 6 'no-such-host\.invalid'
    assert_no_file out
}
