#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Request building (issue 3): -X, -A, -e, -u, -H, --json, -d, and -L with --max-redirs,
# credentials dropped on a redirect to another origin (as curl). nginx echoes what it got
# (servers/nginx-locations.conf, /echo); runs over $(e2e_proto).

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

@test "-X, -A, -e and -H reach the server; the default user-agent is h2get/VERSION" {
    run_h2get "${ORIGIN_ARGS[@]}" -X PATCH -A 'agent/1' -e 'https://ref.example/' \
        -H 'X-Test: yes' "$(origin_url echo)"
    assert_status 0
    assert_stdout_is $'method=PATCH ua=agent/1 ref=https://ref.example/ auth= ct= accept=*/* x=yes\n'
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url echo)"
    assert_status 0
    grep -q '^method=GET ua=h2get/[0-9][0-9.]* ref= ' "$STDOUT" || fail "default request" \
        "$(cat "$STDOUT")"
}

@test "-u sends basic credentials; --json sets content-type and accept and POSTs" {
    run_h2get "${ORIGIN_ARGS[@]}" -u 'alice:s3cret' "$(origin_url echo)"
    assert_status 0
    grep -q ' auth=Basic YWxpY2U6czNjcmV0 ' "$STDOUT" || fail "no credentials" "$(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" --json '{"a":1}' "$(origin_url echo)"
    assert_status 0
    grep -q '^method=POST .* ct=application/json accept=application/json ' "$STDOUT" ||
        fail "--json" "$(cat "$STDOUT")"
}

@test "-L follows 301 and 303 (303 turns a POST into GET); without -L the 3xx is the result" {
    run_h2get "${ORIGIN_ARGS[@]}" "$(origin_url redirect-301)"
    assert_status 0
    grep -q '301' "$STDOUT" || fail "not the redirect body" "$(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" -L -w '%{http_code} %{url_effective}\n' \
        "$(origin_url redirect-301)"
    assert_status 0
    grep -q '^method=GET ' "$STDOUT" || fail "redirect not followed" "$(cat "$STDOUT")"
    grep -q "^200 $(origin_url echo)\$" "$STDOUT" || fail "-w after redirect" "$(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" -L -d 'a=1' "$(origin_url redirect-303)"
    assert_status 0
    grep -q '^method=GET ' "$STDOUT" || fail "303 kept the method" "$(cat "$STDOUT")"
}

@test "--max-redirs: a redirect loop stops with exit 47" {
    run_h2get "${ORIGIN_ARGS[@]}" -L --max-redirs 3 "$(origin_url redirect-loop)"
    assert_status 47
    assert_error_line 47 'redirects'
}

@test "credentials follow a same-origin redirect, not a cross-origin one" {
    run_h2get "${ORIGIN_ARGS[@]}" -L -u 'bob:pw' "$(origin_url redirect-same)"
    assert_status 0
    grep -q ' auth=Basic Ym9iOnB3 ' "$STDOUT" || fail "dropped on the same origin" \
        "$(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" -L -u 'bob:pw' -H 'Authorization: Bearer t' \
        "$(origin_url redirect-cross)"
    assert_status 0
    grep -q ' auth= ct=' "$STDOUT" || fail "credentials sent to another origin" \
        "$(cat "$STDOUT")"
}

@test "-m: a whole-run time limit is exit 28" {
    PEER_MODE=${PEER_MODE:-} start_peer stall
    run_h2get "${PEER_ARGS[@]}" -m 1 "$PEER_URL/"
    assert_status 28
    assert_error_line 28 'max-time|timed out'
}

@test "-L and 307: the upload is sent again from its start; from a pipe it cannot be (65)" {
    origin_args
    head -c 3000000 /dev/urandom >body
    run_h2get "${ORIGIN_ARGS[@]}" -L -T body "$(origin_url redirect-307)"
    assert_status 0
    assert_file_sha "$E2E_DOCROOT/upload/r307" "$(file_sha body)"
    rm -f "$E2E_DOCROOT/upload/r307"
    # stdin that is a file, already read 1000 bytes into: the body is the rest of it, sent
    # again from there
    { dd bs=1000 count=1 of=/dev/null 2>/dev/null
      run_h2get "${ORIGIN_ARGS[@]}" -L -T - "$(origin_url redirect-307)"; } <body
    assert_status 0
    tail -c +1001 body >rest
    assert_file_sha "$E2E_DOCROOT/upload/r307" "$(file_sha rest)"
    rm -f "$E2E_DOCROOT/upload/r307"
    status=0
    cat body | timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "${ORIGIN_ARGS[@]}" -L -T - \
        "$(origin_url redirect-307)" >out 2>err || status=$?
    [ "$status" = 65 ] || fail "exit $status, expected 65" "$(cat err)"
    grep -qx 'h2get: (65) cannot send the request body again: cannot follow the redirect: the request body came from a pipe and was already sent' err ||
        fail "stderr differs" "$(cat err)"
    [ ! -e "$E2E_DOCROOT/upload/r307" ] || fail "the redirected PUT was sent with a wrong body"
}

@test "-u over 3 KiB is sent whole (it used to go out as an empty authorization)" {
    local user
    user="u:$(head -c 4000 /dev/zero | tr '\0' p)"
    run_h2get "${ORIGIN_ARGS[@]}" -u "$user" "$(origin_url echo)"
    assert_status 0
    grep -qF " auth=Basic $(printf '%s' "$user" | base64 -w0) ct=" "$STDOUT" ||
        fail "credentials not sent whole" "$(head -c 300 "$STDOUT")"
}

@test "request header fields beyond the 1 MiB field store: exit 120, nothing silently dropped" {
    need_server NGINX_H2
    "$E2E_PY" -c '
import sys
with open("hdrs", "w") as f:
    for i in range(1100):
        f.write("x-h%d: %s\n" % (i, "v" * 1000))
'
    run_h2get --cacert "$CA" -H @hdrs "https://localhost:$NGINX_H2/echo"
    assert_status 120
    [ "$(cat "$STDERR")" = "h2get: (120) buffer limit exceeded: the request's header fields take more than 1048576 bytes" ] ||
        fail "stderr differs" "$(h2get_context)"
    assert_stdout_is ''
}

@test "-v shows a long field whole, escaped (it used to stop at 200 bytes)" {
    local v
    v=$(head -c 500 /dev/zero | tr '\0' v)
    run_h2get "${ORIGIN_ARGS[@]}" -v -H "X-Test: $v" "$(origin_url echo)"
    assert_status 0
    grep -qxF "> x-test: $v" "$STDERR" || grep -qxF "> X-Test: $v" "$STDERR" ||
        fail "-v line" "$(grep -i '^> x-test' "$STDERR" | head -c 300)"
    grep -q " x=$v\$" "$STDOUT" || fail "not sent whole" "$(head -c 300 "$STDOUT")"
}

@test "--proto and --proto-redir: a URL or a redirect target not allowed is exit 1 (as curl)" {
    local url scheme
    url=$(origin_url redirect-same)
    scheme=${url%%:*}
    run_h2get "${ORIGIN_ARGS[@]}" --proto "-all,+ws,+$scheme" -L "$url"
    assert_status 0
    grep -q '^method=GET ' "$STDOUT" || fail "redirect not followed" "$(cat "$STDOUT")"
    run_h2get "${ORIGIN_ARGS[@]}" --proto "=ws" "$url"
    assert_status 1
    [ ! -s "$STDOUT" ] || fail "a body was written" "$(cat "$STDOUT")"
    assert_error_line 1 "^h2get: \(1\) protocol not allowed: '$url': protocol '$scheme' not allowed by --proto\$"
    run_h2get "${ORIGIN_ARGS[@]}" --proto-redir "-$scheme" -L "$url"
    assert_status 1
    [ ! -s "$STDOUT" ] || fail "the redirect was followed" "$(cat "$STDOUT")"
    assert_error_line 1 "redirect to '$(origin_url echo)': protocol '$scheme' not allowed\$"
    # --proto-redir cannot widen what --proto allows
    run_h2get "${ORIGIN_ARGS[@]}" --proto "+$scheme" --proto-redir all -L "$url"
    assert_status 0
    run_h2get "${ORIGIN_ARGS[@]}" --proto "=$scheme,ws" --proto-redir "all" -L "$url"
    assert_status 0
    run_h2get "${ORIGIN_ARGS[@]}" --proto "-all,$scheme" --proto-redir "=ws" -L "$url"
    assert_status 1
}

@test "--proto and --proto-redir: a bad list is a usage error (exit 2)" {
    run_h2get --proto 'http,gopher' https://localhost:1/
    assert_status 2
    assert_error_line 2 "'--proto': unknown protocol 'gopher' \(http, https, ws, wss or all\)\$"
    run_h2get --proto-redir 'http,' https://localhost:1/
    assert_status 2
    assert_error_line 2 "'--proto-redir': unknown protocol ''"
}

@test "-u USER on a terminal: the password is asked for on /dev/tty, not echoed (as curl)" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    local cmd
    cmd=$(printf ' %q' "$H2GET" -s "${ORIGIN_ARGS[@]}" -u bob -o body "$(origin_url echo)")
    mkfifo typed
    # type the password only once the prompt is there (echo is turned off before it)
    ( for _ in $(seq 100); do grep -q 'Enter host password' tty.out 2>/dev/null && break
          sleep 0.1; done
      printf 'sekrit\n'; sleep 1 ) >typed &
    status=0
    timeout -k 5 "$E2E_TIMEOUT" script -eqc "$cmd" /dev/null <typed >tty.out 2>&1 || status=$?
    wait
    [ "$status" = 0 ] || fail "exit $status" "$(cat tty.out)"
    [ "$(tr -d '\r' <tty.out)" = "Enter host password for user 'bob':" ] ||
        fail "not the prompt alone (echoed?)" "$(od -c tty.out)"
    grep -q ' auth=Basic Ym9iOnNla3JpdA== ' body || fail "not bob:sekrit" "$(cat body)"
}

@test "-u USER without a terminal: one line of stdin is the password, none is empty (as curl)" {
    status=0
    printf 'pw 2\nnext\n' | setsid "$H2GET" -s "${ORIGIN_ARGS[@]}" -u bob "$(origin_url echo)" \
        >out 2>err || status=$?
    [ "$status" = 0 ] || fail "exit $status" "$(cat err)"
    [ "$(cat err)" = "Enter host password for user 'bob':" ] || fail "prompt" "$(cat err)"
    grep -q " auth=Basic $(printf 'bob:pw 2' | base64 -w0) " out || fail "not 'bob:pw 2'" "$(cat out)"
    setsid "$H2GET" -s "${ORIGIN_ARGS[@]}" -u bob "$(origin_url echo)" </dev/null >out 2>err ||
        fail "exit $?" "$(cat err)"
    grep -q ' auth=Basic Ym9iOg== ' out || fail "not 'bob:'" "$(cat out)"
    # with a password, or a colon, nothing is asked
    setsid "$H2GET" -s "${ORIGIN_ARGS[@]}" -u 'bob:' "$(origin_url echo)" </dev/null >out 2>err
    [ ! -s err ] || fail "asked anyway" "$(cat err)"
}
