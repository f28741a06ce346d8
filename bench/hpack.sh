#!/bin/sh
# SPDX-License-Identifier: MIT
# HPACK benchmark: builds bench/bench_hpack.c (h2get's codec and libnghttp2's, the latter
# from Debian's libnghttp2-dev and linked into this benchmark only) and runs it over
# $TESTDATA/hpack-test-case. Prints ns per field for each codec, the ratio, and encoded
# bytes. Never fails on timing: exits 0 unless the benchmark cannot be built or crashes.
# Usage: sh bench/hpack.sh [ROUNDS]   (BUILD, TESTDATA, CC may be set)
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
TESTDATA=${TESTDATA:-../shared/testdata}
CC=${CC:-cc}

if [ ! -d "$TESTDATA/hpack-test-case" ]; then
    echo "bench hpack: SKIP: $TESTDATA/hpack-test-case not found"
    exit 0
fi
if ! pkg-config --exists libnghttp2; then
    echo "bench hpack: SKIP: libnghttp2 not found (install libnghttp2-dev)"
    exit 0
fi
mkdir -p "$BUILD/bench" || exit 1
# shellcheck disable=SC2046
$CC -std=gnu11 -O2 -g -Wall -Wextra -Isrc -o "$BUILD/bench/bench_hpack" bench/bench_hpack.c \
    src/base/buf.c src/base/err.c src/base/h2.c src/codec/hpack.c src/codec/hpack_table.c \
    src/codec/hpack_huff.c \
    tests/unit/json.c tests/unit/util.c $(pkg-config --cflags --libs libnghttp2) || {
    echo "bench hpack: build failed" >&2
    exit 1
}
"$BUILD/bench/bench_hpack" "$TESTDATA/hpack-test-case" "${1:-10}" || exit 1
exit 0
