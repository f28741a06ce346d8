#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --tunnel-to HOST:PORT (issue 13): stdin and stdout piped through a tunnel, as ssh's
# ProxyCommand uses it. An ssh-like peer (peers/sshlike.py: a banner first, then line
# commands, binary echo, uploads and downloads) talks with a bash coproc through every
# kind of proxy: none, Squid (HTTP CONNECT, with Basic auth), microsocks (SOCKS5, with
# user/password), the scripted proxy (SOCKS4a), nghttpx (a CONNECT stream over HTTP/2, by
# -x or as the URL's server; and an https:// proxy that selects http/1.1). Each exchange
# is interactive (every answer read before stdin ends), binary-safe and byte-exact, and
# the run ends with exit 0 when the peer closes. Last, OpenSSH itself: ssh to an sshd
# started here, with h2get as its ProxyCommand, through each kind of proxy.

load helpers
load proxy

setup_file() {
    e2e_setup_file
    make_certs
    [ -s "${CA:-}" ] || return 0
    start_squid SQUID
    start_squid SQUID_AUTH auth
    start_microsocks SOCKS
    start_microsocks SOCKS_AUTH "$PROXY_USER" "$PROXY_PASS"
    if [ -n "${SQUID:-}" ]; then
        start_nghttpx NGHTTPX "$SQUID"
        start_nghttpx NGHTTPX_H1 "$SQUID" server http/1.1
    fi
    start_apache_connect APACHE
    [ -n "${APACHE:-}" ] && start_nghttpx NGHTTPX_APACHE "$APACHE"
    start_sshlike
    start_sshd
}

teardown_file() {
    e2e_teardown_file
    proxy_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_python_h2
    [ -n "${SSH_PORT:-}" ] || fail "the ssh-like peer did not start"
    unset http_proxy https_proxy HTTPS_PROXY HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
    squid_mark SQUID
}

teardown() {
    e2e_teardown
}

# start_sshlike: the ssh-like peer for the whole file, its port in SSH_PORT.
start_sshlike() {
    local pf="$BATS_FILE_TMPDIR/ssh.port" pid
    export SSH_LOG="$BATS_FILE_TMPDIR/ssh.log"
    "$E2E_PY" -B "$E2E_DIR/peers/sshlike.py" --port-file "$pf" --log "$SSH_LOG" \
        --lifetime 600 >"$BATS_FILE_TMPDIR/ssh.out" 2>&1 3>&- &
    pid=$!
    track "$pid"
    for _ in $(seq 100); do
        [ -s "$pf" ] && break
        sleep 0.1
    done
    [ -s "$pf" ] && export SSH_PORT=$(cat "$pf")
}

# tun_fds: the coproc's pipes as TIN and TOUT, which subshells (dd, head) can use and
# which stay open after the coproc ended (bash closes its own then); its pid, TPID, is
# tracked.
tun_fds() {
    exec {TIN}<&"${TUN[0]}" {TOUT}>&"${TUN[1]}"
    TPID=$TUN_PID
    track "$TPID"
}

# start_sshd: OpenSSH's sshd on a free port of 127.0.0.1 (SSHD), with a host key and a
# client key (SSH_KEY) made here, public-key login only. It needs root (its privilege
# separation directory, and logging in as the user running the tests).
start_sshd() {
    local bin dir port pid
    bin=$(find_bin sshd) || { missing SSHD "sshd is not installed (make deps)"; return 0; }
    [ "$(id -u)" = 0 ] || { missing SSHD "sshd needs root"; return 0; }
    dir="$BATS_FILE_TMPDIR/sshd"
    mkdir -p "$dir" /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey" && ssh-keygen -q -t ed25519 -N '' -f "$dir/key" ||
        return 1
    cp "$dir/key.pub" "$dir/authorized_keys"
    for _ in 1 2 3; do
        port=$(free_port)
        printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $dir/hostkey" \
            "PidFile $dir/sshd.pid" "AuthorizedKeysFile $dir/authorized_keys" \
            "PasswordAuthentication no" "KbdInteractiveAuthentication no" \
            "PubkeyAuthentication yes" "UsePAM no" "StrictModes no" \
            "PermitRootLogin prohibit-password" >"$dir/sshd_config"
        "$bin" -D -e -f "$dir/sshd_config" >"$dir/log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            export SSHD=$port SSH_KEY="$dir/key"
            return 0
        fi
        stop_pid "$pid"
    done
    missing SSHD "sshd did not start: $(tail -3 "$dir/log")"
}

# ssh_run ARGS...: ssh to root@127.0.0.1 on sshd with the test key, $PC as ProxyCommand.
ssh_run() {
    timeout 30 ssh -F /dev/null -i "$SSH_KEY" -o BatchMode=yes -o LogLevel=ERROR \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ProxyCommand="$PC" \
        -p "$SSHD" root@127.0.0.1 "$@" 2>"$BATS_TEST_TMPDIR/ssh.err"
}

# ssh_through H2GET-ARGS...: a real ssh session with "ProxyCommand h2get ARGS --tunnel-to
# %h:%p": 1 MiB up (its sha256 computed by the remote shell) and the same file down (cat),
# both byte-exact.
ssh_through() {
    local up="$BATS_TEST_TMPDIR/ssh-up.bin" got
    PC="$(printf '%q ' "$H2GET" "$@")--tunnel-to %h:%p"
    head -c 1048576 /dev/urandom >"$up"
    got=$(ssh_run sha256sum <"$up") || fail "ssh failed" "$(cat "$BATS_TEST_TMPDIR/ssh.err")"
    [ "$got" = "$(file_sha "$up")  -" ] || fail "remote sha256: $got"
    ssh_run cat "$up" </dev/null >"$BATS_TEST_TMPDIR/ssh-down.bin" ||
        fail "ssh failed" "$(cat "$BATS_TEST_TMPDIR/ssh.err")"
    cmp "$up" "$BATS_TEST_TMPDIR/ssh-down.bin" || fail "ssh download differs"
}

# read_line VAR: one line from the tunnel (10 s at most), CR kept.
read_line() {
    IFS= read -r -t 10 "$1" <&"$TIN" || fail "no line from the tunnel" "$(cat "$TUN_ERR")"
}

# expect_line TEXT: the next line from the tunnel is TEXT.
expect_line() {
    local got
    read_line got
    [ "$got" = "$1" ] || fail "from the tunnel: '$got', expected '$1'" "$(cat "$TUN_ERR")"
}

# tunnel_exchange H2GET-ARGS...: h2get --tunnel-to 127.0.0.1:$SSH_PORT ARGS as a coproc,
# then an ssh-like session: the banner, pings answered one at a time (interactive), bytes
# of every value echoed, 1 MiB up (its hash comes back) and 1 MiB down, then quit; h2get
# must end with 0 once the peer closes. Its stderr is left in $TUN_ERR.
tunnel_exchange() {
    local got i rc
    TUN_ERR="$BATS_TEST_TMPDIR/tun.err"
    head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/up.bin"
    "$E2E_PY" -c 'import random, sys; sys.stdout.buffer.write(random.Random(1048576).randbytes(1048576) + b"end\n")' \
        >"$BATS_TEST_TMPDIR/down.expected"
    coproc TUN { exec "$H2GET" --tunnel-to "127.0.0.1:$SSH_PORT" "$@" 2>"$TUN_ERR" 3>&-; }
    tun_fds
    expect_line $'SSH-2.0-h2get-e2e\r'
    for i in 1 2 3; do
        printf 'ping %s\n' "$i" >&"$TOUT"
        expect_line "pong $i"
    done
    # every byte value, NUL, CR and LF among them, comes back as sent
    "$E2E_PY" -c 'import sys; sys.stdout.buffer.write(b"bin 256\n" + bytes(range(256)))' >&"$TOUT"
    got=$(dd bs=1 count=256 status=none <&"$TIN" | od -An -v -tx1 | tr -d ' \n')
    [ "$got" = "$("$E2E_PY" -c 'print(bytes(range(256)).hex())')" ] || fail "binary echo: $got"
    { printf 'sum 1048576\n'; cat "$BATS_TEST_TMPDIR/up.bin"; } >&"$TOUT"
    expect_line "sha256 $(file_sha "$BATS_TEST_TMPDIR/up.bin")"
    printf 'send 1048576\n' >&"$TOUT"
    head -c $((1048576 + 4)) <&"$TIN" >"$BATS_TEST_TMPDIR/down.bin"
    cmp "$BATS_TEST_TMPDIR/down.bin" "$BATS_TEST_TMPDIR/down.expected" || fail "download differs"
    printf 'quit\n' >&"$TOUT"
    expect_line "bye"
    rc=0
    wait "$TPID" || rc=$?
    exec {TIN}<&- {TOUT}>&-
    [ "$rc" = 0 ] || fail "h2get --tunnel-to ended with $rc" "$(cat "$TUN_ERR")"
}

# The peer logged a whole session for its latest connection.
assert_session_logged() {
    local n
    n=$(grep -c ' open$' "$SSH_LOG")
    grep -q "^c$n quit $" "$SSH_LOG" || fail "no quit in the peer's log" "$(cat "$SSH_LOG")"
}

@test "no proxy: a direct connection; nothing on stderr (no meter)" {
    tunnel_exchange
    assert_session_logged
    [ ! -s "$TUN_ERR" ] || fail "stderr: $(cat "$TUN_ERR")"
    https_proxy=http://127.0.0.1:1 tunnel_exchange -x ''
}

@test "through Squid (HTTP CONNECT)" {
    need_server SQUID
    tunnel_exchange -x "http://127.0.0.1:$SQUID" -v
    assert_session_logged
    grep -q "^\* CONNECT to 127\.0\.0\.1:$SSH_PORT answered 200: tunnel open$" "$TUN_ERR"
    [ "$(squid_log_count SQUID "TCP_TUNNEL/200 .* CONNECT 127\.0\.0\.1:$SSH_PORT ")" = 1 ]
}

@test "through Squid with Basic auth (-U); credentials absent from -v" {
    need_server SQUID_AUTH
    tunnel_exchange -x "http://127.0.0.1:$SQUID_AUTH" -U "$PROXY_USER:$PROXY_PASS" -v
    ! grep -Eq "$PROXY_PASS|$PROXY_B64" "$TUN_ERR" || fail "credentials in -v"
    grep -q '^> Proxy-Authorization: \[masked\]$' "$TUN_ERR"
}

@test "through microsocks: socks5, socks5h, and socks5h with user/password" {
    need_server SOCKS
    need_server SOCKS_AUTH
    tunnel_exchange -x "socks5://127.0.0.1:$SOCKS"
    tunnel_exchange -x "socks5h://127.0.0.1:$SOCKS" -v
    grep -q "^\* socks5h tunnel to 127\.0\.0\.1:$SSH_PORT open$" "$TUN_ERR"
    tunnel_exchange -x "socks5h://$PROXY_USER:$PROXY_PASS@127.0.0.1:$SOCKS_AUTH" -v
    ! grep -q "$PROXY_PASS" "$TUN_ERR" || fail "credentials in -v"
}

@test "through the scripted proxy: socks4a, a name it resolves" {
    start_proxypeer ok --hosts ssh-only.test=127.0.0.1
    TUN_ERR="$BATS_TEST_TMPDIR/tun.err"
    coproc TUN { exec "$H2GET" --tunnel-to "ssh-only.test:$SSH_PORT" -x "socks4a://127.0.0.1:$PROXY_PORT" \
        2>"$TUN_ERR" 3>&-; }
    tun_fds
    expect_line $'SSH-2.0-h2get-e2e\r'
    printf 'ping a\n' >&"$TOUT"
    expect_line "pong a"
    printf 'quit\n' >&"$TOUT"
    expect_line "bye"
    wait "$TPID"
    exec {TIN}<&- {TOUT}>&-
    proxy_log_wait "^c1 connect ssh-only\.test:$SSH_PORT$"
}

@test "through an HTTP/2 proxy: a CONNECT stream, by -x or as the URL's server" {
    need_server NGHTTPX
    nghttpx_mark NGHTTPX
    tunnel_exchange -x "https://localhost:$NGHTTPX" --proxy-cacert "$CA" -v
    grep -q "^\* CONNECT 127\.0\.0\.1:$SSH_PORT on stream 1 of proxy https://localhost:$NGHTTPX$" "$TUN_ERR"
    grep -q '^\* proxy ALPN: proxy accepted h2$' "$TUN_ERR"
    [ "$(nghttpx_lines NGHTTPX | grep -c " h2 CONNECT 127\.0\.0\.1:$SSH_PORT 200$")" = 1 ]
    # the URL's server is the proxy; --cacert checks it as it would an origin
    tunnel_exchange --cacert "$CA" "https://localhost:$NGHTTPX/" -v
    grep -q '^\* proxy ALPN: proxy accepted h2$' "$TUN_ERR"
    grep -q "tunnel open on stream 1$" "$TUN_ERR"
}

@test "through an https:// proxy that selects http/1.1" {
    need_server NGHTTPX_H1
    tunnel_exchange -x "https://localhost:$NGHTTPX_H1" --proxy-cacert "$CA" -v
    grep -q '^\* Proxy https://localhost:'"$NGHTTPX_H1"' speaks HTTP/1\.1: a connection per tunnel$' "$TUN_ERR"
}

@test "the environment names the proxy as for an https:// URL; no_proxy sends it direct" {
    need_server SQUID
    https_proxy="http://127.0.0.1:$SQUID" tunnel_exchange
    [ "$(squid_log_count SQUID "CONNECT 127\.0\.0\.1:$SSH_PORT ")" = 1 ]
    all_proxy=http://127.0.0.1:1 no_proxy=127.0.0.1 tunnel_exchange
}

@test "the end of stdin does not end the tunnel; the peer's close does" {
    # stdin is empty at once: the banner still arrives, and h2get waits for the peer
    # (closed here by --max-time, as nothing else will close it)
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -m 1 </dev/null
    assert_status 28
    assert_stdout_is $'SSH-2.0-h2get-e2e\r
'
    # a whole session from a file, as a script would send it
    printf 'ping x\nquit\n' >"$BATS_TEST_TMPDIR/in"
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is $'SSH-2.0-h2get-e2e\r
pong x
bye
'
}

# A session from a file: 12 bytes up, the banner and two answers (30 bytes) down.
session_file() {
    printf 'ping x\nquit\n' >"$BATS_TEST_TMPDIR/in"
}

SESSION_OUT=$'SSH-2.0-h2get-e2e\r
pong x
bye
'

TW='connect=%{http_connect} code=%{proxy_connect_code} n=%{num_connects} alpn=[%{proxy_alpn}] up=%{size_upload} down=%{size_download} exit=%{exitcode} err=[%{errormsg}] at=%{remote_ip}:%{remote_port} url=%{url}\n'

# times_ordered: the -w line "T C A P S" (total, connect, appconnect, pretransfer,
# starttransfer) on stderr is in order: 0 < C <= A-or-C <= P <= S <= T.
times_ordered() {
    awk '$1 ~ /^[0-9]+\.[0-9]{6}$/ { a = $3 > 0 ? $3 : $2;
        exit !($2 > 0 && $2 <= a && a <= $4 && $4 <= $5 && $5 <= $1) }' "$STDERR" ||
        fail "times out of order" "$(cat "$STDERR")"
}

@test "-w after the tunnel: to stderr, stdout holding the tunnel's bytes alone" {
    need_server SQUID
    session_file
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -x "http://127.0.0.1:$SQUID" -w "$TW" \
        <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is "$SESSION_OUT"
    [ "$(cat "$STDERR")" = "connect=200 code=200 n=1 alpn=[] up=12 down=30 exit=0 err=[] at=127.0.0.1:$SQUID url=127.0.0.1:$SSH_PORT" ] ||
        fail "-w: $(cat "$STDERR")"
    # no proxy: the host's address, no CONNECT
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -w "$TW" <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is "$SESSION_OUT"
    [ "$(cat "$STDERR")" = "connect=000 code=000 n=1 alpn=[] up=12 down=30 exit=0 err=[] at=127.0.0.1:$SSH_PORT url=127.0.0.1:$SSH_PORT" ] ||
        fail "-w: $(cat "$STDERR")"
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -x "http://127.0.0.1:$SQUID" \
        -w '%{time_total} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer}\n' \
        <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    times_ordered
    # %{stdout}: after the tunnel's last byte; %{stderr} switches back
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -w 'e1 %{stdout}o %{size_download}\n%{stderr}e2\n' \
        <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is "${SESSION_OUT}o 30
"
    [ "$(cat "$STDERR")" = "e1 e2" ] || fail "-w: $(cat "$STDERR")"
}

@test "-w after a tunnel through an HTTP/2 proxy; after a refused CONNECT" {
    need_server NGHTTPX
    need_server SQUID
    session_file
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -x "https://localhost:$NGHTTPX" \
        --proxy-cacert "$CA" -w "$TW" <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is "$SESSION_OUT"
    [ "$(cat "$STDERR")" = "connect=200 code=200 n=1 alpn=[h2] up=12 down=30 exit=0 err=[] at=127.0.0.1:$NGHTTPX url=127.0.0.1:$SSH_PORT" ] ||
        fail "-w: $(cat "$STDERR")"
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" --cacert "$CA" "https://localhost:$NGHTTPX/" \
        -w '%{time_total} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer}\n' \
        <"$BATS_TEST_TMPDIR/in"
    assert_status 0
    assert_stdout_is "$SESSION_OUT"
    awk '{ exit !($3 > 0) }' "$STDERR" || fail "no TLS time: $(cat "$STDERR")"
    times_ordered
    # the proxy refuses: the error line, then -w with the status and the message
    run_h2get --tunnel-to 127.0.0.1:1 -x "http://127.0.0.1:$SQUID" -w "$TW" </dev/null
    assert_status 56
    assert_error_line 56 "answered 503"
    msg="proxy http://127.0.0.1:$SQUID: CONNECT to '127.0.0.1:1' answered 503 Service Unavailable"
    [ "$(sed -n 2p "$STDERR")" = "connect=503 code=503 n=1 alpn=[] up=0 down=0 exit=56 err=[$msg] at=127.0.0.1:$SQUID url=127.0.0.1:1" ] ||
        fail "-w: $(cat "$STDERR")"
    # nothing listens: no connection made
    run_h2get --tunnel-to 127.0.0.1:1 -w '%{num_connects} %{exitcode}\n' </dev/null
    assert_status 7
    [ "$(sed -n 2p "$STDERR")" = "0 7" ] || fail "-w: $(cat "$STDERR")"
}

# count_input: "count" and 100,000 bytes, for the peer to count up to the end of the input.
count_input() {
    { printf 'count\n'; head -c 100000 /dev/zero; } >"$BATS_TEST_TMPDIR/count"
}

@test "--tunnel-half-close: the end of stdin is a FIN; the answer that follows it arrives" {
    count_input
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" --tunnel-half-close -v <"$BATS_TEST_TMPDIR/count"
    assert_status 0
    assert_stdout_is $'SSH-2.0-h2get-e2e\r
count 100000
'
    assert_stderr '^\* End of stdin: the tunnel is half-closed; waiting for the far end to close it$'
    grep -q "^c[0-9]* eof after 100000$" "$SSH_LOG"
    # without it the peer waits for the end that never comes (here -m ends the run)
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -m 1 <"$BATS_TEST_TMPDIR/count"
    assert_status 28
    assert_stdout_is $'SSH-2.0-h2get-e2e\r
'
}

@test "--tunnel-half-close through proxies: Apache passes the FIN on, Squid ends the tunnel; END_STREAM over HTTP/2" {
    need_server APACHE
    need_server NGHTTPX_APACHE
    need_server SQUID
    count_input
    # Apache's mod_proxy_connect passes the half-close on to the server, and its answer back
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" --tunnel-half-close -x "http://127.0.0.1:$APACHE" \
        -w '%{size_upload} %{size_download}\n' <"$BATS_TEST_TMPDIR/count"
    assert_status 0
    assert_stdout_is $'SSH-2.0-h2get-e2e\r
count 100000
'
    [ "$(cat "$STDERR")" = "100006 32" ] || fail "-w: $(cat "$STDERR")"
    # over HTTP/2 the half-close is END_STREAM (RFC 9113 §8.5): nghttpx passes it on as a
    # FIN through Apache to the server, but then relays nothing more and keeps the stream
    # open, so the answer never comes back (-m ends the run)
    local seen
    seen=$(grep -c ' eof after 100000$' "$SSH_LOG")
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" --tunnel-half-close --frames -m 3 \
        -x "https://localhost:$NGHTTPX_APACHE" --proxy-cacert "$CA" <"$BATS_TEST_TMPDIR/count"
    assert_status 28
    assert_stderr '^\+[0-9.]+ms #[0-9]+ proxy > DATA s=1 len=0 END_STREAM$'
    [ "$(grep -c ' eof after 100000$' "$SSH_LOG")" -gt "$seen" ] ||
        fail "the server saw no end" "$(cat "$SSH_LOG")"
    # Squid ends the whole tunnel on a half-close: the answer is lost (why it is not the
    # default)
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" --tunnel-half-close -m 10 \
        -x "http://127.0.0.1:$SQUID" <"$BATS_TEST_TMPDIR/count"
    assert_status 0
    ! grep -q count "$STDOUT" || fail "an answer through Squid: $(cat "$STDOUT")"
}

@test "tunnel failures: each one line naming the hop, with curl's codes" {
    need_server SQUID
    need_server SOCKS
    run_h2get --tunnel-to 127.0.0.1:1 </dev/null
    assert_status 7
    assert_error_line 7 "failed to connect to 127\.0\.0\.1:1"
    run_h2get --tunnel-to 127.0.0.1:1 -x "http://127.0.0.1:$SQUID" </dev/null
    assert_status 56
    assert_error_line 56 "proxy http://127\.0\.0\.1:$SQUID: CONNECT to '127\.0\.0\.1:1' answered 503"
    run_h2get --tunnel-to 127.0.0.1:1 -x "socks5h://127.0.0.1:$SOCKS" </dev/null
    assert_status 97
    assert_error_line 97 "could not connect to '127\.0\.0\.1:1': connection refused \(reply 5\)$"
    run_h2get --tunnel-to "127.0.0.1:$SSH_PORT" -x "https://localhost:${NGHTTPX:-1}" </dev/null
    if [ -n "${NGHTTPX:-}" ]; then
        assert_status 60
        assert_error_line 60 "proxy https://localhost:$NGHTTPX: certificate for 'localhost' not accepted"
    fi
}

@test "--tunnel-to usage errors (exit 2)" {
    local bad
    for bad in host host:0 host:65536 '[::1:22' 'user@host:22' 'host:22/path'; do
        run_h2get --tunnel-to "$bad"
        assert_status 2
        assert_error_line 2 "bad '--tunnel-to "
    done
    run_h2get --tunnel-to host:22 -x http://127.0.0.1:1 https://proxy.example/
    assert_status 2
    assert_error_line 2 "'--tunnel-to' goes through -x or through the URL's server, not both$"
    run_h2get --tunnel-to host:22 https://a.example/ https://b.example/
    assert_status 2
    assert_error_line 2 "'--tunnel-to' takes one URL at most"
    run_h2get --tunnel-to host:22 -d x
    assert_status 2
    assert_error_line 2 "no request body$"
}

@test "stdout closing early is a write error (23)" {
    local rc=0
    printf 'send 4194304\n' | "$H2GET" --tunnel-to "127.0.0.1:$SSH_PORT" \
        2>"$BATS_TEST_TMPDIR/err" | head -c 10 >/dev/null || true
    rc=${PIPESTATUS[1]}
    [ "$rc" = 23 ] || fail "exit $rc" "$(cat "$BATS_TEST_TMPDIR/err")"
    grep -q "^h2get: (23) write error: cannot write to stdout: Broken pipe$" "$BATS_TEST_TMPDIR/err"
}

@test "OpenSSH's ssh with ProxyCommand h2get --tunnel-to: direct, Squid, SOCKS5h, HTTP/2 proxy" {
    need_server SSHD
    need_server SQUID
    need_server SOCKS
    need_server NGHTTPX
    need_cmd ssh
    ssh_through
    ssh_through -x "http://127.0.0.1:$SQUID"
    ssh_through -x "socks5h://127.0.0.1:$SOCKS"
    nghttpx_mark NGHTTPX
    ssh_through -x "https://localhost:$NGHTTPX" --proxy-cacert "$CA"
    [ "$(nghttpx_lines NGHTTPX | grep -c " h2 CONNECT 127\.0\.0\.1:$SSHD 200$")" = 2 ]
}
