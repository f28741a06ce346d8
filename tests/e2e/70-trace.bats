#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The debugging views (CLI.md §7, man/h2get.1 TRACE FORMATS): the frame trace of a known
# exchange with nghttpd, --hpack figures, --windows lines and the stall warning, the JSON
# trace against the text trace of the same run, each --check rule from a scripted peer
# (peers/h2peer.py) and --strict's exit 122, the test aids of CLI.md §3 as the frames
# they produce, and a round trip for every --ping PING. Formats are asserted by pattern.

load helpers

setup_file() {
    e2e_setup_file
    make_certs
    make_docroot
    start_nghttpd NGHTTPD_H2C h2c
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

h2c_url() {
    need_server NGHTTPD_H2C
    echo "http://localhost:$NGHTTPD_H2C/$1"
}

# trace_lines REGEX: the frame lines of the trace file matching REGEX, times stripped.
frame_lines() {
    sed -n 's/^+[0-9.]*ms //p' "$1"
}

@test "--frames: the exchange with nghttpd, one line per frame, payload under it" {
    local url
    url=$(h2c_url index.html)
    run_h2get --http2-prior-knowledge --frames="$BATS_TEST_TMPDIR/tr" "$url"
    assert_status 0
    frame_lines "$BATS_TEST_TMPDIR/tr" >"$BATS_TEST_TMPDIR/lines"
    grep -Eq '^> SETTINGS s=0 len=18$' "$BATS_TEST_TMPDIR/lines" || fail "$(cat "$BATS_TEST_TMPDIR/tr")"
    grep -Eq '^> HEADERS s=1 len=[0-9]+ END_STREAM END_HEADERS$' "$BATS_TEST_TMPDIR/lines"
    grep -Eq '^< SETTINGS s=0 len=[0-9]+$' "$BATS_TEST_TMPDIR/lines"
    grep -Eq '^< SETTINGS s=0 len=0 ACK$' "$BATS_TEST_TMPDIR/lines"
    grep -Eq '^< HEADERS s=1 len=[0-9]+ END_HEADERS$' "$BATS_TEST_TMPDIR/lines"
    grep -Eq '^< DATA s=1 len=[0-9]+ END_STREAM$' "$BATS_TEST_TMPDIR/lines"
    grep -Eq '^> GOAWAY s=0 len=8$' "$BATS_TEST_TMPDIR/lines"
    # decoded payload is indented under its frame line, never before it
    grep -A3 '> SETTINGS s=0 len=18' "$BATS_TEST_TMPDIR/tr" | grep -q '^    ENABLE_PUSH=0$'
    grep -A1 '< HEADERS s=1' "$BATS_TEST_TMPDIR/tr" | grep -q '^    :status: 200$'
    grep -A1 '< DATA s=1' "$BATS_TEST_TMPDIR/tr" | grep -Eq '^    data=[0-9]+$'
    grep -A1 '> GOAWAY' "$BATS_TEST_TMPDIR/tr" |
        grep -q "^    last_stream_id=0 error=NO_ERROR (0x0) debug=''$"
    # every line is a frame line or indented under one
    ! grep -Ev '^(\+[0-9]+\.[0-9]{3}ms [<>] [A-Z_0-9x]+ s=[0-9]+ len=[0-9]+( [A-Z_0-9x]+)*|    .*)$' \
        "$BATS_TEST_TMPDIR/tr"
}

@test "-vv adds the frame trace to stderr; NO_COLOR and pipes give no colour" {
    NO_COLOR=1 run_h2get --http2-prior-knowledge -vv "$(h2c_url index.html)"
    assert_status 0
    assert_stderr '^\+[0-9.]+ms < HEADERS s=1 '
    refute_stderr $'\033'
}

# On a terminal (script gives h2get a pty) colour is on by default, so that this test can
# fail. A non-empty NO_COLOR turns colour off; every coloured view (the frame trace, --check,
# the WebSocket trace) takes it from client_trace.c. --color=always wins over NO_COLOR, and
# an empty NO_COLOR does nothing (no-color.org).
@test "NO_COLOR on a terminal: no colour in -vv, unless --color is given" {
    command -v script >/dev/null || skip "script (util-linux) is not installed"
    local cmd
    cmd=$(printf ' %q' "$H2GET" -s --http2-prior-knowledge -vv -o body \
        "$(h2c_url index.html)")
    script -eqc "$cmd" /dev/null </dev/null >tty.out 2>&1 || fail "exit $?" "$(cat tty.out)"
    grep -q $'\033\\[3[56]m[<>] HEADERS' tty.out || fail "no colour by default" "$(cat tty.out)"
    NO_COLOR= script -eqc "$cmd" /dev/null </dev/null >tty.out 2>&1 || fail "exit $?"
    grep -q $'\033' tty.out || fail "an empty NO_COLOR turned colour off" "$(cat tty.out)"
    NO_COLOR=1 script -eqc "$cmd" /dev/null </dev/null >tty.out 2>&1 || fail "exit $?"
    grep -q 'HEADERS s=1 ' tty.out || fail "no trace" "$(cat tty.out)"
    ! grep -q $'\033' tty.out || fail "colour with NO_COLOR=1" "$(od -c tty.out | head)"
    NO_COLOR=1 script -eqc "$cmd --color=always" /dev/null </dev/null >tty.out 2>&1 ||
        fail "exit $?"
    grep -q $'\033' tty.out || fail "--color=always lost to NO_COLOR" "$(cat tty.out)"
}

@test "--hpack: representations, block summaries and totals" {
    run_h2get --http2-prior-knowledge --hpack --frames "$(h2c_url index.html)"
    assert_status 0
    assert_stderr '^    \[indexed 2\] :method: GET$'
    assert_stderr '^    \[indexed 8\] :status: 200$'
    assert_stderr '^    \[inc-index name=1 huff=v\] :authority: '
    assert_stderr '^    hpack: wire=[0-9]+ decoded=[0-9]+ ratio=[0-9.]+% inserts=[0-9]+ evictions=0 '
    assert_stderr '^hpack total sent: blocks=1 wire=[0-9]+ decoded=[0-9]+ ratio='
    assert_stderr '^hpack total received: blocks=1 '
    # --no-huffman and --hpack-indexing=none change what we send
    run_h2get --http2-prior-knowledge --hpack --no-huffman --hpack-indexing=none \
        "$(h2c_url index.html)"
    assert_status 0
    assert_stderr '^    \[no-index name=1 huff=-\] :authority: '
    refute_stderr '^    \[inc-index'"'"' name=[0-9]+ huff=v\] :authority'
}

@test "--windows: lines after DATA, WINDOW_UPDATE and SETTINGS; stall warning" {
    run_h2get --http2-prior-knowledge --windows -o /dev/null "$(h2c_url size-1048576)"
    assert_status 0
    assert_stderr '^    windows: conn send=[0-9-]+ recv=[0-9-]+ \| s=1 send=[0-9-]+ recv=[0-9-]+$'
    assert_stderr '^    windows: conn send=65535 recv=16777216$'
    # a small window and a reader that stops for 1.5 s: the receive window stays at 0
    STDERR="$BATS_TEST_TMPDIR/stderr"
    timeout 20 "$H2GET" --http2-prior-knowledge --windows --window-bits 14 \
        "$(h2c_url size-1048576)" 2>"$STDERR" | (sleep 1.5; cat >/dev/null)
    assert_stderr '^\+[0-9.]+ms !! stall: s=1 recv window 0 for [0-9.]+ s$'
}

@test "--trace-json: same frames in the same order as the text trace" {
    run_h2get --http2-prior-knowledge --frames="$BATS_TEST_TMPDIR/tr" \
        --trace-json "$BATS_TEST_TMPDIR/tr.json" "$(h2c_url index.html)"
    assert_status 0
    "$E2E_PY" - "$BATS_TEST_TMPDIR/tr.json" "$BATS_TEST_TMPDIR/tr" <<'PY'
import json, re, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
frames = [o for o in objs if o["ev"] == "frame"]
text = [l for l in open(sys.argv[2]) if l.startswith("+")]
assert len(frames) == len(text), (len(frames), len(text))
for o, l in zip(frames, text):
    m = re.match(r"\+([0-9.]+)ms ([<>]) (\S+) s=(\d+) len=(\d+)(.*)$", l)
    assert m, l
    assert float(m.group(1)) == o["t"], (l, o)
    assert m.group(2) == (">" if o["dir"] == "send" else "<"), (l, o)
    assert (m.group(3), int(m.group(4)), int(m.group(5))) == (o["type"], o["sid"], o["len"])
    assert m.group(6).split() == o["flags"], (l, o)
assert any(o["ev"] == "settings_ack" and "rtt_ms" in o for o in objs)
assert any(o["ev"] == "stream" and o["what"] == "done" for o in objs)
hs = [o for o in frames if o["type"] == "HEADERS" and o["dir"] == "recv"][0]
assert hs["fields"][0] == {"repr": "indexed", "index": 8, "name_huffman": False,
                           "value_huffman": False, "name": ":status", "value": "200"}, hs
PY
}

@test "--stats and --waterfall tables" {
    run_h2get --http2-prior-knowledge --stats --waterfall -o /dev/null -o /dev/null \
        "$(h2c_url index.html)" "$(h2c_url size-16384)"
    assert_status 0
    assert_stderr '^ +0 +0 +1 +200 +[0-9]+ .* ok$'
    assert_stderr '^ +1 +0 +3 +200 +16384 .* ok$'
    assert_stderr '^ +0 h2c '
    assert_stderr '^ +1 s=3 +\|[ =#-]+\| [0-9.]+ ms$'
}

# check_rule SCENARIO RULE: --check names RULE; exit stays that of the failure; --strict 122.
check_rule() {
    start_peer "$1"
    run_h2get "${PEER_ARGS[@]}" --check "$PEER_URL/"
    assert_stderr "^check: $2: .*\\(RFC 9[0-9]+ §[0-9.]+\\)$"
    start_peer "$1"
    run_h2get "${PEER_ARGS[@]}" --strict "$PEER_URL/"
    assert_status 122
}

@test "--check: bad :status" {
    check_rule bad_status status-invalid
}

@test "--check: uppercase field name" {
    check_rule uppercase_header name-uppercase
}

@test "--check: content-length against the DATA total" {
    check_rule cl_mismatch content-length-mismatch
}

@test "--check: PUSH_PROMISE after ENABLE_PUSH=0" {
    check_rule push_promise push-promise
}

@test "--check: a clean fetch reports nothing and --strict exits 0" {
    run_h2get --http2-prior-knowledge --strict "$(h2c_url index.html)"
    assert_status 0
    refute_stderr '^check: '
}

@test "test aids: --settings, --window-size, --padding, --continuation, --ping, --extpri" {
    run_h2get --http2-prior-knowledge --frames --settings MAX_CONCURRENT_STREAMS=7,0x99=1 \
        --window-size 1000 --connection-window-size 1M --padding 7 --continuation --ping=2 \
        --extpri u=2 "$(h2c_url index.html)"
    assert_status 0
    assert_stderr '^    INITIAL_WINDOW_SIZE=1000$'
    assert_stderr '^    MAX_CONCURRENT_STREAMS=7$'
    assert_stderr '^    0x99=1$'
    assert_stderr '^    increment=983041$'
    assert_stderr '^\+[0-9.]+ms > HEADERS s=1 len=[0-9]+ END_STREAM PADDED$'
    assert_stderr '^    pad=7$'
    assert_stderr '^\+[0-9.]+ms > CONTINUATION s=1 len=[0-9]+ END_HEADERS$'
    assert_stderr '^    priority: u=2$'
    assert_stderr '^\+[0-9.]+ms > PING s=0 len=8$'
    assert_stderr '^ping: conn=0 n=2 rtt=[0-9.]+ms$'
    run_h2get --http2-prior-knowledge --frames --settings empty "$(h2c_url index.html)"
    assert_status 0
    assert_stderr '^\+[0-9.]+ms > SETTINGS s=0 len=0$'
}

@test "--ping N: each of N PINGs gets its round-trip line, up to 1000; more is a usage error" {
    local n
    run_h2get --http2-prior-knowledge --ping=300 -o /dev/null "$(h2c_url index.html)"
    assert_status 0
    for n in 1 16 17 256 257 300; do
        [ "$(grep -Ec "^ping: conn=0 n=$n rtt=[0-9]+\.[0-9]{3}ms$" "$STDERR")" = 1 ] ||
            fail "expected one round-trip line for PING $n" "$(h2get_context)"
    done
    [ "$(grep -c '^ping: ' "$STDERR")" = 300 ] || fail "expected 300 ping lines" "$(h2get_context)"
    run_h2get --http2-prior-knowledge --ping=1001 "$(h2c_url index.html)"
    assert_status 2
    [ "$(head -1 "$STDERR")" = "h2get: (2) usage error: '--ping' takes a count from 1 to 1000, not '1001'" ] ||
        fail "unexpected usage error" "$(h2get_context)"
    # as the man page writes it: the count as the next word
    run_h2get --http2-prior-knowledge --ping 3 -o /dev/null "$(h2c_url index.html)"
    assert_status 0
    [ "$(grep -c '^ping: ' "$STDERR")" = 3 ] || fail "expected 3 ping lines" "$(h2get_context)"
}

# check_line SCENARIO STATUS LINE [h2get options...]: with --check, stderr has LINE (an ERE,
# anchored here) and h2get exits STATUS as it does without --check; with --strict, the same
# line and exit 122.
check_line() {
    local scenario=$1 want=$2 line=$3
    shift 3
    start_peer "$scenario"
    run_h2get "${PEER_ARGS[@]}" "$@" --check "$PEER_URL/"
    assert_stderr "^$line\$"
    assert_status "$want"
    start_peer "$scenario"
    run_h2get "${PEER_ARGS[@]}" "$@" --strict "$PEER_URL/"
    assert_stderr "^$line\$"
    assert_status 122
}

@test "--check: pseudo-header in trailers" {
    check_line trailer_pseudo 92 "check: trailer-pseudo: field ':status' on stream 1: \
pseudo-header in trailers \\(RFC 9113 §8\\.1\\)"
}

@test "--check: trailers without END_STREAM" {
    check_line trailers_no_end 92 "check: trailers-end-stream: stream 1: trailers without \
END_STREAM \\(RFC 9113 §8\\.1\\)"
}

@test "--check: connection-specific response field (connection: close)" {
    check_line connection_header 92 "check: connection-specific: field 'connection' on \
stream 1: 'connection' is connection-specific \\(RFC 9113 §8\\.2\\.2\\)"
}

@test "--check: DATA beyond the stream window we advertised (--window-size 1000)" {
    check_line data_beyond_window 92 "check: data-beyond-window: DATA of 2000 octets on \
stream 1, 1000 left in its window \\(RFC 9113 §6\\.9\\.1\\)" --window-size 1000
    assert_peer_log '^c1 recv RST_STREAM stream=1 flags=- code=FLOW_CONTROL_ERROR$'
}

@test "--check: DATA on a stream after the server's END_STREAM" {
    check_line data_after_end 0 "check: frame-on-closed-stream: DATA on stream 1 after the \
server's END_STREAM \\(RFC 9113 §5\\.1\\)"
    # one line per violation: the GOAWAY(STREAM_CLOSED) that answers it adds none
    [ "$(grep -c '^check: ' "$STDERR")" = 1 ] || fail "more than one check line" "$(h2get_context)"
}

@test "--check: HEADERS on a stream after the server's END_STREAM" {
    start_peer headers_after_end
    run_h2get "${PEER_ARGS[@]}" --check "$PEER_URL/"
    assert_status 0
    assert_stderr "^check: frame-on-closed-stream: HEADERS after the server's END_STREAM on \
a closed stream \\(RFC 9113 §5\\.1\\)$"
    start_peer headers_after_end
    run_h2get "${PEER_ARGS[@]}" --strict "$PEER_URL/"
    assert_status 122
}

@test "--check: a frame on an idle stream" {
    check_line idle_stream 16 "check: frame-on-idle-stream: WINDOW_UPDATE on stream 3, which \
we never opened \\(RFC 9113 §5\\.1\\)"
}

@test "--check: no SETTINGS ACK before the connection closes" {
    check_line settings_ack_missing 0 "check: settings-ack-missing: connection closed [0-9]+ \
ms after our SETTINGS without a SETTINGS ACK \\(RFC 9113 §6\\.5\\.3\\)"
}

@test "--check: no SETTINGS ACK within 5 s (--check and --strict side by side)" {
    local url pid err=$BATS_TEST_TMPDIR/check.stderr line st=0
    line="^check: settings-ack-timeout: no SETTINGS ACK [0-9]+ ms after our SETTINGS \
\\(RFC 9113 §6\\.5\\.3\\)$"
    start_peer settings_ack_late
    url=$PEER_URL
    start_peer settings_ack_late
    timeout -k 5 "$E2E_TIMEOUT" "$H2GET" "${PEER_ARGS[@]}" --check "$url/" >/dev/null \
        2>"$err" 3>&- &
    pid=$!
    track "$pid"
    run_h2get "${PEER_ARGS[@]}" --strict "$PEER_URL/"
    assert_stderr "$line"
    assert_status 122
    wait "$pid" || st=$?
    STDERR=$err
    assert_stderr "$line"
    refute_stderr '^check: settings-ack-missing'
    [ "$st" = 0 ] || fail "--check run: expected exit status 0, got $st" "$(cat "$err")"
}

@test "--check: a frame over our MAX_FRAME_SIZE" {
    check_line oversize_frame 16 "check: oversize-frame: DATA of 16385 octets on stream 1, \
our SETTINGS_MAX_FRAME_SIZE is 16384 \\(RFC 9113 §4\\.2\\)"
}

@test "--check: a frame of the wrong size (bad-frame)" {
    check_line bad_frame_size 16 "check: bad-frame: PING on stream 0: PING length is not 8 \
\\(RFC 9113 §6\\.7\\)"
}

@test "--check: every other response rule of the validator" {
    local scenario rule what rfc
    # SCENARIO|RULE|WHAT|RFC SECTION; a trailing backslash continues a row
    # shellcheck disable=SC2162 # read without -r: for the continuation lines
    while IFS='|' read scenario rule what rfc; do
        [ -n "$scenario" ] || continue
        start_peer "$scenario"
        run_h2get "${PEER_ARGS[@]}" --check "$PEER_URL/"
        assert_stderr "^check: $rule: $what \\(RFC ${rfc//./\\.}\\)\$"
        assert_status 92
    done <<'ROWS'
status_duplicate|status-duplicate|field ':status' on stream 1: duplicate :status|9113 §8.3
status_range|status-range|field ':status' on stream 1: :status out of range 100-599|9110 §15
status_101|status-101|field ':status' on stream 1: :status 101 is not allowed in \
HTTP/2|9113 §8.6
missing_status|status-missing|stream 1: missing :status|9113 §8.3.2
pseudo_order|pseudo-order|field ':status' on stream 1: pseudo-header after a regular \
field|9113 §8.3
pseudo_unknown|pseudo-unknown|field ':path' on stream 1: unknown or request pseudo-header \
in a response|9113 §8.3
cl_invalid|content-length-invalid|field 'content-length' on stream 1: invalid \
content-length|9110 §8.6
cl_conflict|content-length-conflict|field 'content-length' on stream 1: conflicting \
content-length values|9110 §8.6
name_invalid|name-invalid|field 'x@y' on stream 1: invalid character in field name|9113 §8.2.1
name_empty|name-empty|stream 1: empty field name|9113 §8.2.1
value_invalid|value-invalid|field 'x-v' on stream 1: CR, LF or NUL in a field value|9113 §8.2.1
value_whitespace|value-whitespace|field 'x-v' on stream 1: leading or trailing whitespace \
in a field value|9113 §8.2.1
te_response|te-in-response|field 'te' on stream 1: 'te' in a response|9113 §8.2.2
informational_end|informational-end-stream|stream 1: END_STREAM on an informational \
response|9113 §8.1
content_unexpected|content-unexpected|stream 1: DATA in a response that has no \
content|9110 §6.4.1
ROWS
    # --strict once for the lot: any of them is fatal
    start_peer name_empty
    run_h2get "${PEER_ARGS[@]}" --strict "$PEER_URL/"
    assert_status 122
}

@test "--check: stream-error for a stream error no rule names" {
    check_line too_many_1xx 120 "check: stream-error: stream 1: more than 32 1xx responses\
( \\(RFC [0-9]+ §[0-9.]+\\))?"
}

@test "--check: connection-error for our GOAWAY no rule names" {
    start_peer window_overflow
    run_h2get "${PEER_ARGS[@]}" --check "$PEER_URL/"
    assert_status 16
    assert_stderr "^check: connection-error: we sent GOAWAY\\(FLOW_CONTROL_ERROR\\): connection \
window above 2\\^31-1 \\(RFC 9113 §6\\.9\\.1\\)$"
    start_peer window_overflow
    run_h2get "${PEER_ARGS[@]}" --strict "$PEER_URL/"
    assert_status 122
}
