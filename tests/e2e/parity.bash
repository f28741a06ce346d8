# SPDX-License-Identifier: MIT
# Fixtures for the curl-parity tests (95-*.bats): the scripted HTTP/1.1 peer
# (peers/h1script.py) and what its log says.
# shellcheck shell=bash disable=SC2034 # SCRIPT_URL, SCRIPT_LOG: used by the tests

# start_script JSON: the peer answering from script JSON (see h1script.py); sets
# SCRIPT_PORT, SCRIPT_URL (http://127.0.0.1:PORT) and SCRIPT_LOG.
start_script() {
    start_json_peer script h1script.py "$1" || return 1
    SCRIPT_LOG="$BATS_TEST_TMPDIR/script.log"
    SCRIPT_PORT=$JSON_PEER_PORT
    SCRIPT_URL="http://127.0.0.1:$SCRIPT_PORT"
}

# script_requests: how many requests the peer got.
script_requests() {
    grep -c '^req ' "$SCRIPT_LOG" 2>/dev/null || echo 0
}

# assert_requests N
assert_requests() {
    local n
    n=$(script_requests)
    [ "$n" = "$1" ] || fail "the peer got $n requests, expected $1" "$(cat "$SCRIPT_LOG")" \
        "$(h2get_context)"
}

# assert_gap N MIN MAX: request N came between MIN and MAX seconds after request N-1.
assert_gap() {
    local a b
    a=$(awk -v n=$(($1 - 1)) '$1 == "req" && $2 == n { sub("t=", "", $3); print $3 }' "$SCRIPT_LOG")
    b=$(awk -v n="$1" '$1 == "req" && $2 == n { sub("t=", "", $3); print $3 }' "$SCRIPT_LOG")
    awk -v a="$a" -v b="$b" -v lo="$2" -v hi="$3" 'BEGIN { d = b - a; exit !(d >= lo && d <= hi) }' ||
        fail "request $1 came $(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }') s after" \
            "request $(($1 - 1)), expected $2 to $3 s" "$(cat "$SCRIPT_LOG")"
}

# script_header N NAME: the value of field NAME of request N (empty if none).
script_header() {
    awk -v n="$1" -v h="hdr $1 $2:" 'index($0, h) == 1 { print substr($0, length(h) + 2) }' \
        "$SCRIPT_LOG"
}
