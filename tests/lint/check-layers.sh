#!/bin/sh
# SPDX-License-Identifier: MIT
# The include rule of src/README.md: a folder is one layer, and a file may include
#  - a header of its own folder, by its plain name ("conn_int.h"), or
#  - a header of a LOWER layer, by folder and name ("codec/frame.h"),
# never one of its own layer's other folders or of a layer above, so there is no include
# cycle between folders. Layers 0-2 (base, codec, proto) are sans-I/O: of libc they include
# only the headers below (no stdio, time, unistd, sockets, poll). h2get.c may include any
# folder. Every folder under src/ must have a layer here; a new folder is added to the
# table below and to src/README.md in the same commit.
# Run from the repository root. It then runs its self-test: the same check on copies with
# an upward include, a same-layer include, a plain name from another folder and a stdio
# include in a codec, each of which must fail naming the file.
set -u

# folder rank: a file may include folders of a strictly lower rank.
LAYERS='base 0
codec 1
proto 2
sys 3
net 4
trace 5
cli 5
out 5
client 6'

# libc headers allowed in the sans-I/O layers (rank 0-2).
PURE_LIBC='stdbool.h stddef.h stdint.h string.h stdlib.h limits.h stdarg.h inttypes.h'
# Compute-only libraries a codec may use (no I/O of their own): the content decoders, and
# the compiler's x86 intrinsics (crc32.c folds with PCLMULQDQ).
PURE_LIBS='zlib.h brotli/decode.h zstd.h zstd_errors.h immintrin.h'

# Known breaks of the rule, one "FILE INCLUDE reason" per line; each is a debt with an issue.
EXCEPTIONS=tests/lint/layer-exceptions.txt

excepted() { # file include
    [ -f "$EXCEPTIONS" ] && grep -v '^#' "$EXCEPTIONS" | awk -v f="$1" -v i="$2" '$1 == f && $2 == i { ok = 1 } END { exit !ok }'
}

rank() {
    printf '%s\n' "$LAYERS" | awk -v d="$1" '$1 == d { print $2; found = 1 } END { if (!found) print "" }'
}

# check ROOT: every problem under ROOT/src, one line each.
check() {
    root=$1
    for dir in "$root"/src/*/; do
        d=$(basename "$dir")
        r=$(rank "$d")
        if [ -z "$r" ]; then
            echo "layers: src/$d: a folder with no layer (add it to tests/lint/check-layers.sh and src/README.md)"
            continue
        fi
        for f in "$dir"*.c "$dir"*.h; do
            [ -f "$f" ] || continue
            rel=src/$d/$(basename "$f")
            grep -n '^#include' "$f" | while IFS= read -r line; do
                n=${line%%:*}
                inc=$(printf '%s\n' "$line" | sed -n 's/^[0-9]*:#include "\([^"]*\)".*/\1/p')
                sys=$(printf '%s\n' "$line" | sed -n 's/^[0-9]*:#include <\([^>]*\)>.*/\1/p')
                if [ -n "$sys" ]; then
                    if [ "$r" -le 2 ] && ! printf ' %s ' "$PURE_LIBC" | grep -qF " $sys " &&
                        ! { [ "$d" = codec ] && printf ' %s ' "$PURE_LIBS" | grep -qF " $sys "; }; then
                        echo "layers: $rel:$n: <$sys> in a sans-I/O layer ($d)"
                    fi
                    continue
                fi
                [ -n "$inc" ] || continue
                case $inc in
                */*)
                    t=${inc%%/*}
                    tr=$(rank "$t")
                    if [ -z "$tr" ]; then
                        echo "layers: $rel:$n: \"$inc\" names no layer folder"
                    elif [ "$t" = "$d" ]; then
                        echo "layers: $rel:$n: \"$inc\": include a header of the same folder by its plain name"
                    elif [ "$tr" -ge "$r" ] && ! excepted "$rel" "$inc"; then
                        echo "layers: $rel:$n: \"$inc\": $d (layer $r) may not include $t (layer $tr)"
                    elif [ ! -f "$root/src/$inc" ]; then
                        echo "layers: $rel:$n: \"$inc\" does not exist"
                    fi
                    ;;
                *)
                    [ -f "$dir$inc" ] ||
                        echo "layers: $rel:$n: \"$inc\" is not in src/$d (write it as folder/name)"
                    ;;
                esac
            done
        done
    done
}

# Mutate a copy, expect a complaint containing $2.
expect_fail() { # name expected-text mutation-command...
    name=$1 want=$2
    shift 2
    rm -rf "$tmp/copy"
    mkdir -p "$tmp/copy"
    cp -r src "$tmp/copy/"
    (cd "$tmp/copy" && "$@")
    out=$(check "$tmp/copy")
    case $out in
    *"$want"*) echo "check-layers: self-test ok: $name" ;;
    *) echo "layers: self-test: '$name' was not caught (wanted '$want', got: $out)" ;;
    esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

problems=$(check .)
if [ -z "$problems" ]; then
    selftest=$(
        expect_fail "codec includes the client" 'src/codec/frame.c:' \
            sed -i '0,/^#include "/s//#include "client\/client.h"\n#include "/' src/codec/frame.c
        expect_fail "trace includes cli (same layer)" 'trace (layer 5) may not include cli' \
            sed -i '0,/^#include "/s//#include "cli\/cli.h"\n#include "/' src/trace/trace.c
        expect_fail "plain name of another folder" '"buf.h" is not in src/proto' \
            sed -i '0,/^#include "/s//#include "buf.h"\n#include "/' src/proto/conn.c
        expect_fail "stdio in a codec" '<stdio.h> in a sans-I/O layer (codec)' \
            sed -i '0,/^#include </s//#include <stdio.h>\n#include </' src/codec/url.c
        expect_fail "folder without a layer" 'src/extra: a folder with no layer' \
            mkdir src/extra
    )
    problems=$(printf '%s\n' "$selftest" | grep '^layers:')
    printf '%s\n' "$selftest" | grep -v '^layers:'
fi
if [ -n "$problems" ]; then
    printf '%s\n' "$problems" >&2
    echo "check-layers: FAILED" >&2
    exit 1
fi
echo "check-layers: ok ($(ls -d src/*/ | wc -l) folders)"
