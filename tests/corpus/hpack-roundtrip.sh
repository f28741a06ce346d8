#!/bin/sh
# SPDX-License-Identifier: MIT
# HPACK encoder against an independent decoder: $BUILD/tool_hpack_encode encodes every
# hpack-test-case raw-data story (one encoder per story) and tests/corpus/hpack_roundtrip.py
# decodes each block with python3-hpack and compares the lists. Runs with the default
# encoder, with Huffman never, and with no dynamic table (INDEX_NONE). Without the testdata
# or python3-hpack it prints a SKIP line and exits 0, unless CI=true (then it fails).
set -u
BUILD=${BUILD:-build}
TESTDATA=${TESTDATA:-../shared/testdata}
here=$(dirname "$0")
dir="$TESTDATA/hpack-test-case/raw-data"

skip() {
    if [ "${CI:-}" = true ]; then
        echo "hpack round trip: FAIL: $1 (CI=true, so a skip is a failure)" >&2
        exit 1
    fi
    echo "hpack round trip: SKIP: $1"
    exit 0
}

[ -d "$dir" ] || skip "$dir not found"
/usr/bin/python3 -c 'import hpack' 2>/dev/null || skip "python3-hpack not installed"
[ -x "$BUILD/tool_hpack_encode" ] || {
    echo "hpack round trip: $BUILD/tool_hpack_encode not built" >&2
    exit 1
}

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
status=0
for mode in "" --huffman=never --indexing=none; do
    # shellcheck disable=SC2086
    if ! "$BUILD/tool_hpack_encode" $mode "$dir"/story_*.json >"$out"; then
        echo "hpack round trip: tool_hpack_encode $mode failed" >&2
        status=1
        continue
    fi
    /usr/bin/python3 "$here/hpack_roundtrip.py" --label "${mode#--}" <"$out" || status=1
done
exit $status
