#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Config files (issue 14, CLI.md §8): -K FILE in curl's syntax (--long value, name = "value"
# with escapes, -x value, url = ..., # comments), nested -K, a file that includes itself;
# the default file ($H2GET_CONFIG, else $XDG_CONFIG_HOME/h2get/h2getrc, else ~/.h2getrc)
# read before the command line, which wins; -q first skips it. A bad line is exit 2 with
# FILE:LINE: reason. Requests go to nginx's /echo, which shows what was sent.

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
    # each test chooses its own default file; none of the machine's
    export HOME="$BATS_TEST_TMPDIR/home" XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/xdg"
    unset H2GET_CONFIG
    mkdir -p "$HOME" "$XDG_CONFIG_HOME/h2get"
}

teardown() {
    e2e_teardown
}

echo_line() { # UA REFERER X
    printf 'method=GET ua=%s ref=%s auth= ct= accept=*/* x=%s\n' "$1" "$2" "$3"
}

@test "-K: long, bare, quoted (escapes), short and url lines; comments and blank lines" {
    cat >rc <<EOF
# a comment, then a blank line

--user-agent "a \\"quoted\\" \\\\ agent"
referer: http://ref.example/
  -H "x-test: from-file"   # trailing comment
url = "$(origin_url echo)"
EOF
    run_h2get "${ORIGIN_ARGS[@]}" -K rc
    assert_status 0
    assert_stdout_is "$(echo_line 'a "quoted" \ agent' http://ref.example/ from-file)"$'\n'
}

@test "-K -: options from stdin; --config FILE nested in a file" {
    printf 'user-agent = nested\n' >inner
    printf 'referer = http://outer/\nconfig = inner\n' >outer
    STDOUT="$BATS_TEST_TMPDIR/stdout"
    printf 'url = "%s"\n' "$(origin_url echo)" |
        "$H2GET" "${ORIGIN_ARGS[@]}" -K - --config outer >"$STDOUT" 2>"$BATS_TEST_TMPDIR/stderr"
    assert_stdout_is "$(echo_line nested http://outer/ '')"$'\n'
}

@test "precedence: the default file, then the command line; -q first skips the file" {
    printf 'user-agent = "from-file"\nreferer = http://file/\n' >"$HOME/.h2getrc"
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_stdout_is "$(echo_line from-file http://file/ '')"$'\n'
    run_h2get "${ORIGIN_ARGS[@]}" -A from-cli "$(origin_url echo)"
    assert_stdout_is "$(echo_line from-cli http://file/ '')"$'\n'
    run_h2get -q "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_status 0
    assert_stdout_is "$(echo_line "h2get/$("$H2GET" --version | sed -n '1s/^h2get \([^ ]*\).*/\1/p')" '' '')"$'\n'
    # -q anywhere but first does nothing (curl)
    run_h2get "${ORIGIN_ARGS[@]}" -q "$(origin_url echo)"
    assert_stdout_is "$(echo_line from-file http://file/ '')"$'\n'
    # and --disable is its long form
    run_h2get --disable "${ORIGIN_ARGS[@]}" -A x "$(origin_url echo)"
    assert_stdout_is "$(echo_line x '' '')"$'\n'
}

@test "which default file: \$H2GET_CONFIG, else XDG_CONFIG_HOME/h2get/h2getrc, else ~/.h2getrc" {
    printf 'user-agent = home\n' >"$HOME/.h2getrc"
    printf 'user-agent = xdg\n' >"$XDG_CONFIG_HOME/h2get/h2getrc"
    printf 'user-agent = env\n' >envrc
    H2GET_CONFIG=$PWD/envrc run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_stdout_is "$(echo_line env '' '')"$'\n'
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_stdout_is "$(echo_line xdg '' '')"$'\n'
    rm "$XDG_CONFIG_HOME/h2get/h2getrc"
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_stdout_is "$(echo_line home '' '')"$'\n'
    # -K adds to the default file, options after it win
    printf 'referer = http://k/\nuser-agent = k\n' >k
    run_h2get "${ORIGIN_ARGS[@]}" -K k "$(origin_url echo)"
    assert_stdout_is "$(echo_line k http://k/ '')"$'\n'
    # a default that does not exist is no error
    H2GET_CONFIG=$PWD/missing run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_status 0
}

@test "a bad line: exit 2 with FILE:LINE: reason, nothing fetched" {
    local bad
    for bad in 'bogus = 1|unknown option .--bogus.' 'user-agent = "open|unterminated quoted value' \
        'silent = yes|option .--silent. takes no value' 'output|option .--output. requires a value' \
        'user-agent two words|text after the value' 'max-redirs = x|invalid number .x. for .--max-redirs.' \
        '-sS|write one short option per line'; do
        printf '# first\n\n%s\n' "${bad%%|*}" >rc
        run_h2get "${ORIGIN_ARGS[@]}" -K rc -o out "$(origin_url echo)"
        assert_status 2
        assert_error_line 2 "^h2get: \\(2\\) usage error: rc:3: ${bad#*|}"
        assert_no_file out
    done
    # in the default file too, named by its path
    printf 'user-agent = ok\nnope\n' >"$HOME/.h2getrc"
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_status 2
    assert_error_line 2 "$HOME/.h2getrc:2: unknown option '--nope'"
    # --help and --version still work
    run_h2get --version
    assert_status 0
    run_h2get -h
    assert_status 0
    # a NUL byte
    printf 'user-agent = a\0b\n' >"$HOME/.h2getrc"
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_error_line 2 ".h2getrc:1: a NUL byte in the line"
}

@test "a config file that includes itself, directly or through another: exit 2; depth bounded" {
    printf 'config = self\n' >self
    run_h2get -K self "$(origin_url echo)"
    assert_status 2
    assert_error_line 2 "self:1: config file 'self' includes itself$"
    printf 'referer = http://a/\nconfig = b\n' >a
    printf 'config = a\n' >b
    run_h2get -K a "$(origin_url echo)"
    assert_status 2
    assert_error_line 2 "b:1: config file 'a' includes itself through 'b'"
    local i
    for i in $(seq 1 9); do printf 'config = c%d\n' $((i + 1)) >c$i; done
    printf 'silent\n' >c10
    run_h2get -K c1 "$(origin_url echo)"
    assert_status 2
    assert_error_line 2 "config files nested more than 8 deep at 'c9'"
}

@test "a config file that cannot be read: exit 26 naming it" {
    run_h2get -K missing "$(origin_url echo)"
    assert_status 26
    assert_error_line 26 "cannot read config file 'missing': No such file or directory"
    mkdir dir
    run_h2get -K dir "$(origin_url echo)"
    assert_status 26
    assert_error_line 26 "cannot read config file 'dir': Is a directory"
}
