#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# --limit-rate SPEED (issue 14): one rate for the whole run, both ways. Downloads over
# HTTP/2 (the server is held back by connection credit granted no faster than the rate)
# and HTTP/1.1 (the socket is read no faster), uploads over both, several URLs on two
# connections sharing the one rate, the WINDOW_UPDATEs of --frames, the CPU of a throttled
# run (no busy loop) and the bad values. Times are checked against size/rate: never more
# than 20% faster (the robust bound, also under ASan on a loaded machine), and not slower
# than 20% plus what the same transfer takes unlimited (measured in the same test).

load helpers

RATE=1048576      # 1 MiB/s
SIZE=$((7 << 19)) # 3.5 MiB: 3.5 s at the rate

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    head -c "$SIZE" /dev/urandom >"$E2E_DOCROOT/rate-big"
    head -c $((SIZE / 4)) /dev/urandom >"$E2E_DOCROOT/rate-quarter"
    export UPLOAD="$E2E_DOCROOT/rate-big"
    [ -s "${CA:-}" ] || return 0
    start_nginx
}

teardown_file() {
    e2e_teardown_file
}

setup() {
    e2e_setup
    need_h2get
    need_server NGINX_H2
}

teardown() {
    e2e_teardown
}

# timed ARGS...: run_h2get, with the wall-clock time in ms in $ELAPSED and the CPU time
# (user + system) in ms in $CPU.
timed() {
    local t0 t1 TIMEFORMAT=%3U+%3S
    t0=$(date +%s%N)
    { time run_h2get "$@"; } 2>"$BATS_TEST_TMPDIR/time"
    t1=$(date +%s%N)
    ELAPSED=$(((t1 - t0) / 1000000))
    CPU=$(awk -F+ '{ printf "%d", ($1 + $2) * 1000 }' "$BATS_TEST_TMPDIR/time")
}

# assert_paced BYTES ARGS...: the same run, unlimited and then at --limit-rate $RATE,
# gives the same exit 0; the limited one takes BYTES/RATE within the bounds above.
assert_paced() {
    local bytes=$1 expect base lo hi
    shift
    timed "$@"
    assert_status 0
    base=$ELAPSED
    timed --limit-rate 1M "$@"
    assert_status 0
    expect=$((bytes * 1000 / RATE))
    lo=$((expect * 8 / 10))
    hi=$((expect * 12 / 10 + base))
    echo "# $bytes bytes at $RATE B/s: ${ELAPSED} ms (expected $expect, unlimited $base ms)" >&3
    [ "$ELAPSED" -ge "$lo" ] || fail "took $ELAPSED ms, faster than $lo ms (size/rate -20%)"
    [ "$ELAPSED" -le "$hi" ] ||
        fail "took $ELAPSED ms, slower than $hi ms (size/rate +20%, + $base ms unlimited)"
}

@test "--limit-rate: HTTP/2 download takes size/rate, byte-exact, with little CPU" {
    assert_paced "$SIZE" --cacert "$CA" --http2-only -o out "https://localhost:$NGINX_H2/rate-big"
    assert_file_sha out "$(file_sha "$E2E_DOCROOT/rate-big")"
    # a busy loop while throttled would burn about the whole elapsed time
    echo "# CPU ${CPU} ms in ${ELAPSED} ms" >&3
    [ "$CPU" -le $((ELAPSED / 4)) ] || fail "CPU $CPU ms in $ELAPSED ms: busy while throttled?"
}

@test "--limit-rate: HTTP/1.1 download takes size/rate, byte-exact" {
    assert_paced "$SIZE" --cacert "$CA" --http1.1 -o out "https://localhost:$NGINX_H1TLS/rate-big"
    assert_file_sha out "$(file_sha "$E2E_DOCROOT/rate-big")"
    [ "$CPU" -le $((ELAPSED / 4)) ] || fail "CPU $CPU ms in $ELAPSED ms: busy while throttled?"
}

@test "--limit-rate: HTTP/2 upload (-T) takes size/rate, stored byte-exact" {
    assert_paced "$SIZE" --cacert "$CA" --http2-only -T "$UPLOAD" \
        "https://localhost:$NGINX_H2/upload/rate-h2"
    assert_file_sha "$E2E_DOCROOT/upload/rate-h2" "$(file_sha "$UPLOAD")"
}

@test "--limit-rate: HTTP/1.1 upload (-T) takes size/rate, stored byte-exact" {
    assert_paced "$SIZE" --cacert "$CA" --http1.1 -T "$UPLOAD" \
        "https://localhost:$NGINX_H1TLS/upload/rate-h1"
    assert_file_sha "$E2E_DOCROOT/upload/rate-h1" "$(file_sha "$UPLOAD")"
}

@test "--limit-rate: one rate for the run: four URLs on an HTTP/2 and an HTTP/1.1 connection" {
    local f q="rate-quarter"
    assert_paced "$SIZE" --cacert "$CA" \
        -o a "https://localhost:$NGINX_H2/$q" -o b "https://localhost:$NGINX_H2/$q" \
        -o c "https://localhost:$NGINX_H1TLS/$q" -o d "https://localhost:$NGINX_H1TLS/$q"
    for f in a b c d; do
        assert_file_sha "$f" "$(file_sha "$E2E_DOCROOT/$q")"
    done
}

# Turns: a connection that always has tokens to take does not starve another; the
# second URL (a quarter of the first, on its own connection) gets about half the rate.
@test "--limit-rate: connections take turns: a small download next to a big one is not starved" {
    local big small
    assert_paced $((SIZE + SIZE / 4)) --cacert "$CA" -w '%{url} %{time_total}\n' \
        -o a "https://localhost:$NGINX_H2/rate-big" -o b "https://localhost:$NGINX_H1TLS/rate-quarter"
    assert_file_sha a "$(file_sha "$E2E_DOCROOT/rate-big")"
    assert_file_sha b "$(file_sha "$E2E_DOCROOT/rate-quarter")"
    big=$(awk '/rate-big/ { printf "%d", $2 * 1000 }' "$STDOUT")
    small=$(awk '/rate-quarter/ { printf "%d", $2 * 1000 }' "$STDOUT")
    echo "# big $big ms, small $small ms, CPU $CPU ms" >&3
    [ "$CPU" -le $((ELAPSED / 4)) ] || fail "CPU $CPU ms in $ELAPSED ms: busy while throttled?"
    # fair shares: 1.75 s of 4.4 s; starved until the big one ends: all of it
    [ "$small" -gt 0 ] && [ "$small" -le $((big * 6 / 10)) ] ||
        fail "the small download took $small ms of the big one's $big ms"
}

# The frames say how: small windows announced, and connection credit granted no faster
# than the rate (plus 100 ms of burst) beyond the initial window.
@test "--limit-rate --frames: small initial windows, WINDOW_UPDATEs paced by the rate" {
    run_h2get --limit-rate 512K --frames=trace --cacert "$CA" --http2-only -o out \
        "https://localhost:$NGINX_H2/size-1048576"
    assert_status 0
    assert_file_sha out "$(doc_sha size-1048576)"
    # 512 KiB/s: 100 ms is 52428 bytes, below the connection window's floor of 65535
    grep -A8 '> SETTINGS s=0' trace | grep -q 'INITIAL_WINDOW_SIZE=52428' ||
        fail "no INITIAL_WINDOW_SIZE=52428" "$(grep -A8 '> SETTINGS' trace | head -12)"
    awk -v rate=524288 '
        /^\+[0-9.]+ms > WINDOW_UPDATE s=0 / { t = substr($1, 2) + 0; getline
            sub(/.*increment=/, ""); g += $0
            if (g > rate * t / 1000 + rate / 10) {
                printf "granted %d by %.1f ms, more than %d\n", g, t, rate * t / 1000 + rate / 10
                bad = 1 } n++ }
        END { if (n < 5 || g + 65535 < 1048576) { print "too few grants: " n ", " g; bad = 1 }
              exit bad }' trace || fail "connection credit not paced" \
        "$(grep -A1 'WINDOW_UPDATE s=0' trace | head -20)"
}

@test "--limit-rate: bad values exit 2 naming the option" {
    local v
    for v in 0 -5 abc 1x 10KB 99999999999999999999 17179869184G ''; do
        run_h2get --limit-rate "$v" "https://localhost:$NGINX_H2/size-1"
        assert_status 2
        if [ "$v" = 0 ]; then
            assert_error_line 2 "^h2get: \(2\) usage error: '--limit-rate' takes a speed above 0, not '0'$"
        else
            assert_error_line 2 "^h2get: \(2\) usage error: invalid speed '$v' for '--limit-rate'$"
        fi
    done
    run_h2get --limit-rate
    assert_status 2
    assert_error_line 2 "'--limit-rate'"
}
