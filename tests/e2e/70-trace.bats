#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The debugging views (CLI.md §7, man/h2get.1 TRACE FORMATS): the frame trace of a known
# exchange with nghttpd, --hpack figures, --windows lines and the stall warning, the JSON
# trace against the text trace of the same run, each --check rule from a scripted peer
# (peers/h2peer.py) and --strict's exit 122, and the test aids of CLI.md §3 as the frames
# they produce. Formats are asserted by pattern.

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
