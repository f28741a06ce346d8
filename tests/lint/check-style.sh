#!/bin/sh
# SPDX-License-Identifier: MIT
# House format and banned calls (STYLE.md 1.7):
#  - `clang-format --dry-run -Werror` (the repository's .clang-format) over src/*/*.[ch],
#    h2get.c, tests/unit, tests/fuzz, tests/tools and bench/*.c; generated files (a
#    "do not edit" line near the top, e.g. src/hpack_huff.h) are skipped;
#  - none of strcpy strcat sprintf vsprintf gets atoi atol strtok strncpy alloca is called
#    in src/ or h2get.c.
# Run from the repository root; with FILE arguments only those files are checked.
set -u

banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|strncpy|alloca'

if [ $# -gt 0 ]; then
    files="$*"
else
    files=$(ls src/*/*.c src/*/*.h h2get.c tests/unit/*.c tests/unit/*.h tests/fuzz/*.c \
        tests/tools/*.c bench/*.c 2>/dev/null)
fi

if ! command -v clang-format >/dev/null 2>&1; then
    echo "check-style: clang-format is not installed (make deps)" >&2
    exit 1
fi

generated() {
    head -n 5 "$1" | grep -qi 'do not edit\|do-not-edit'
}

fail=0 n=0
for f in $files; do
    [ -f "$f" ] || continue
    generated "$f" && continue
    n=$((n + 1))
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "check-style: $f: not formatted (run: clang-format -i $f)" >&2
        fail=1
    fi
    case $f in
    src/* | h2get.c)
        # calls only: comments are dropped first, and snprintf/fgets do not match
        hits=$(sed -e 's|/\*.*\*/||g' -e 's|^ *\*.*||' "$f" |
            grep -nE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\\(")
        if [ -n "$hits" ]; then
            echo "$hits" | sed "s|^|check-style: $f: banned call: |" >&2
            fail=1
        fi
        ;;
    esac
done

if [ $fail -ne 0 ]; then
    echo "check-style: FAILED" >&2
    exit 1
fi
echo "check-style: ok ($n files)"
