# SPDX-License-Identifier: MIT
# Proxies for the proxy tests (90-93-*.bats), loaded after helpers.bash: Squid (HTTP
# CONNECT and absolute-form, with or without Basic auth through basic_ncsa_auth and an
# htpasswd file made at run time), microsocks (SOCKS5, with or without user/password, with
# its own /etc/hosts when a test needs a name only the proxy can resolve), nghttpx in
# HTTP/2 proxy mode in front of Squid, and the scripted proxy (peers/proxypeer.py) for
# every failure. Configs are written at run time; everything listens on 127.0.0.1 only
# and is stopped when its scope ends.
# shellcheck shell=bash disable=SC2034 # PROXY_PORT, SQUID_LOG...: used by the tests

# The test user of every authenticating proxy.
PROXY_USER=al
PROXY_PASS=s3cret
# base64 of "al:s3cret": what Basic sends; must never show in -v or traces.
PROXY_B64=YWw6czNjcmV0

# A directory the proxy's own user can write (Squid drops root for "proxy"), removed when
# the file's tests end.
proxy_dir() {
    local d
    d=$(mktemp -d /tmp/h2get-e2e-proxy.XXXXXX) || return 1
    chmod 777 "$d"
    printf '%s\n' "$d" >>"$BATS_FILE_TMPDIR/proxy.dirs"
    printf '%s\n' "$d"
}

proxy_teardown_file() {
    local d
    if [ -f "$BATS_FILE_TMPDIR/proxy.dirs" ]; then
        while read -r d; do
            case $d in /tmp/h2get-e2e-proxy.*) rm -rf "$d" ;; esac
        done <"$BATS_FILE_TMPDIR/proxy.dirs"
    fi
}

# start_squid VAR [auth]: Squid on a free port of 127.0.0.1 (exported in VAR), its access
# log in VAR_LOG. It resolves names with its own hosts file: localhost and
# proxy-only.test are 127.0.0.1 (only the proxy knows the second). With "auth", every
# request needs al:s3cret (Basic).
start_squid() {
    local var=$1 auth=${2:-} bin dir port pid access
    bin=$(find_bin squid) || { missing "$var" "squid is not installed (make deps)"; return 0; }
    [ -x /usr/lib/squid/basic_ncsa_auth ] || { missing "$var" "basic_ncsa_auth missing"; return 0; }
    dir=$(proxy_dir) || return 1
    printf '127.0.0.1 localhost proxy-only.test\n' >"$dir/hosts"
    if [ "$auth" = auth ]; then
        printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 "$PROXY_PASS")" >"$dir/htpasswd"
        access="auth_param basic program /usr/lib/squid/basic_ncsa_auth $dir/htpasswd
auth_param basic realm h2get-e2e
acl auth proxy_auth REQUIRED
http_access allow auth
http_access deny all"
    else
        access="http_access allow all"
    fi
    for _ in 1 2 3; do
        port=$(free_port)
        cat >"$dir/squid.conf" <<EOF
http_port 127.0.0.1:$port
pid_filename $dir/squid.pid
access_log stdio:$dir/access.log
cache_log $dir/cache.log
cache_store_log none
cache deny all
cache_mem 8 MB
coredump_dir $dir
netdb_filename none
pinger_enable off
hosts_file $dir/hosts
shutdown_lifetime 0 seconds
$access
EOF
        "$bin" -N -f "$dir/squid.conf" >"$dir/out.log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            export "$var=$port" "${var}_LOG=$dir/access.log"
            return 0
        fi
        stop_pid "$pid"
    done
    missing "$var" "squid did not start: $(tail -3 "$dir/cache.log" "$dir/out.log" 2>/dev/null)"
    return 1
}

# squid_mark VAR...: remember how long each Squid's access log is, once it stopped
# growing (it writes a line when a transaction ends), so squid_log_count counts this
# test's lines only.
squid_mark() {
    local v log n m
    for v in "$@"; do
        log=${v}_LOG
        [ -n "${!log:-}" ] || continue
        n=-1
        for _ in $(seq 10); do
            m=$(wc -l <"${!log}" 2>/dev/null || echo 0)
            [ "$m" = "$n" ] && break
            n=$m
            sleep 0.1
        done
        export "${v}_MARK=$n"
    done
}

# squid_log_count VAR REGEX: lines of VAR's access log since squid_mark matching REGEX
# (waiting briefly for the first).
squid_log_count() {
    local log=${1}_LOG mark=${1}_MARK n=0
    for _ in $(seq 20); do
        n=$(tail -n +$((${!mark:-0} + 1)) "${!log}" 2>/dev/null | grep -Ec -- "$2" || true)
        [ "$n" -gt 0 ] && break
        sleep 0.1
    done
    echo "$n"
}

# start_microsocks VAR [USER PASS] [HOSTS]: microsocks on a free port of 127.0.0.1. With
# HOSTS (a file), it runs in a mount namespace where that file is its /etc/hosts, so it
# resolves names h2get cannot.
start_microsocks() {
    local var=$1 user=${2:-} pass=${3:-} hosts=${4:-} bin port pid auth=()
    bin=$(find_bin microsocks) || { missing "$var" "microsocks is not installed (make deps)"; return 0; }
    [ -n "$user" ] && auth=(-u "$user" -P "$pass")
    if [ -n "$hosts" ] && ! unshare -m true 2>/dev/null; then
        missing "$var" "unshare -m does not work here (a private /etc/hosts for the proxy)"
        return 0
    fi
    for _ in 1 2 3; do
        port=$(free_port)
        if [ -n "$hosts" ]; then
            unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$hosts" \
                "$bin" -i 127.0.0.1 -p "$port" "${auth[@]}" >"$BATS_FILE_TMPDIR/$var.log" 2>&1 3>&- &
        else
            "$bin" -i 127.0.0.1 -p "$port" "${auth[@]}" >"$BATS_FILE_TMPDIR/$var.log" 2>&1 3>&- &
        fi
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            export "$var=$port"
            return 0
        fi
        stop_pid "$pid"
    done
    missing "$var" "microsocks did not start: $(tail -3 "$BATS_FILE_TMPDIR/$var.log")"
    return 1
}

# start_apache_connect VAR: Apache httpd as an HTTP/1.1 CONNECT proxy (mod_proxy_connect,
# servers/apache-connect.conf.in) on a free port of 127.0.0.1, exported in VAR.
start_apache_connect() {
    local var=$1 bin dir port pid
    bin=$(find_bin apache2) || { missing "$var" "apache2 is not installed (make deps)"; return 0; }
    dir=$(proxy_dir) || return 1
    for _ in 1 2 3; do
        port=$(free_port)
        sed -e "s|@DIR@|$dir|g; s|@PORT@|$port|" "$E2E_DIR/servers/apache-connect.conf.in" \
            >"$dir/httpd.conf"
        "$bin" -f "$dir/httpd.conf" -DFOREGROUND >"$dir/stdout.log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            export "$var=$port"
            return 0
        fi
        stop_pid "$pid"
    done
    missing "$var" "apache2 did not start: $(tail -3 "$dir/error.log" "$dir/stdout.log" 2>/dev/null)"
    return 1
}

# start_nghttpx VAR BACKEND [CERT [ALPN]]: nghttpx in HTTP/2 forward-proxy mode
# (--http2-proxy) on a free port of 127.0.0.1 (exported in VAR), TLS with $E2E_CERTS/CERT
# (default: server, for localhost and 127.0.0.1), offering ALPN (default h2,http/1.1),
# forwarding every CONNECT to the HTTP proxy on 127.0.0.1:BACKEND (Squid). Its access log,
# VAR_LOG, has one line per request: "CLIENT_PORT ALPN METHOD PATH STATUS", so the client
# ports of a run count its proxy connections.
start_nghttpx() {
    local var=$1 backend=$2 cert=${3:-server} alpn=${4:-h2,http/1.1} bin dir port pid
    bin=$(find_bin nghttpx) || { missing "$var" "nghttpx is not installed (make deps)"; return 0; }
    dir=$(proxy_dir) || return 1
    for _ in 1 2 3; do
        port=$(free_port)
        "$bin" --conf=/dev/null --http2-proxy --single-process --no-ocsp -n 1 \
            -f "127.0.0.1,$port" -b "127.0.0.1,$backend" --npn-list="$alpn" \
            --accesslog-file="$dir/access.log" --errorlog-file="$dir/error.log" \
            --accesslog-format='$remote_port $alpn $method $path $status' \
            "$E2E_CERTS/$cert.key" "$E2E_CERTS/$cert.pem" >"$dir/out.log" 2>&1 3>&- &
        pid=$!
        track "$pid"
        if wait_port "$port" "$pid"; then
            : >"$dir/access.log"
            export "$var=$port" "${var}_LOG=$dir/access.log"
            return 0
        fi
        stop_pid "$pid"
    done
    missing "$var" "nghttpx did not start: $(tail -3 "$dir/error.log" "$dir/out.log" 2>/dev/null)"
    return 1
}

# nghttpx_mark VAR / nghttpx_lines VAR: the access-log lines of nghttpx VAR written since
# nghttpx_mark (waiting until the count stops growing).
nghttpx_mark() {
    export "${1}_MARK=$(wc -l <"$(nghttpx_log "$1")")"
}

nghttpx_log() {
    local log=${1}_LOG
    printf '%s\n' "${!log}"
}

nghttpx_lines() {
    local mark=${1}_MARK n=-1 m
    for _ in $(seq 20); do
        m=$(wc -l <"$(nghttpx_log "$1")")
        [ "$m" = "$n" ] && [ "$m" -gt "${!mark:-0}" ] && break
        n=$m
        sleep 0.1
    done
    tail -n +$((${!mark:-0} + 1)) "$(nghttpx_log "$1")"
}

# start_proxypeer SCENARIO [proxypeer options...]: the scripted proxy in this test's scope;
# sets PROXY_PORT and PROXY_LOG.
start_proxypeer() {
    local scenario=$1 pid portfile
    shift
    PROXY_LOG="$BATS_TEST_TMPDIR/proxy.log"
    portfile="$BATS_TEST_TMPDIR/proxy.port"
    rm -f "$portfile"
    "$E2E_PY" -B "$E2E_DIR/peers/proxypeer.py" "$scenario" --port-file "$portfile" \
        --log "$PROXY_LOG" --lifetime $((E2E_TIMEOUT + 15)) "$@" \
        >"$BATS_TEST_TMPDIR/proxy.out" 2>&1 3>&- &
    pid=$!
    track "$pid"
    for _ in $(seq 100); do
        [ -s "$portfile" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$portfile" ] || fail "proxypeer did not start:" "$(cat "$BATS_TEST_TMPDIR/proxy.out")"
    PROXY_PORT=$(cat "$portfile")
}

# proxy_log_wait REGEX: until the scripted proxy logged a matching line (5 s at most).
proxy_log_wait() {
    for _ in $(seq 50); do
        grep -Eq -- "$1" "$PROXY_LOG" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "proxy log has no line matching: $1" "--- proxy log:" "$(cat "$PROXY_LOG" 2>/dev/null)"
}

# dump_ascii: the ASCII columns of --hexdump's lines on stderr, joined (a field's bytes
# run on across the 16-octet lines).
dump_ascii() {
    sed -n 's/^    [0-9a-f]\{4\}  .*  |\(.*\)|$/\1/p' "$STDERR" | tr -d '\n'
}

# refute_secret: the test credentials appear nowhere in h2get's stderr.
refute_secret() {
    refute_stderr "$PROXY_PASS|$PROXY_B64"
}
