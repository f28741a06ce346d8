#!/bin/sh
# SPDX-License-Identifier: MIT
# Size limits of STYLE.md 1.7 for the product code (src/*/*.c and h2get.c; tests and
# generated files are exempt):
#  - a .c file over 1,500 lines fails (over 800 is reported: split by concern);
#  - a function over 100 lines fails unless listed in tests/lint/size-exceptions.txt;
#  - pmccabe's modified McCabe complexity over 25 fails, over 15 warns.
# Run from the repository root; with FILE arguments only those files are checked.
set -u

exceptions=tests/lint/size-exceptions.txt

if [ $# -gt 0 ]; then
    files="$*"
else
    files=$(ls src/*/*.c h2get.c 2>/dev/null)
fi

if ! command -v pmccabe >/dev/null 2>&1; then
    echo "check-size: pmccabe is not installed (make deps)" >&2
    exit 1
fi

generated() {
    head -n 5 "$1" | grep -qi 'do not edit\|do-not-edit'
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM
fail=0 n=0 nf=0
for f in $files; do
    [ -f "$f" ] || continue
    generated "$f" && continue
    n=$((n + 1))
    lines=$(wc -l <"$f")
    if [ "$lines" -gt 1500 ]; then
        echo "check-size: $f: $lines lines (limit 1500): split it by concern" >&2
        fail=1
    elif [ "$lines" -gt 800 ]; then
        echo "check-size: warning: $f: $lines lines (aim under 800)" >&2
    fi
    # columns: modified McCabe, traditional McCabe, statements, first line, lines, "file(line): name"
    pmccabe "$f" >>"$tmp" || { echo "check-size: pmccabe failed on $f" >&2; fail=1; }
done

exempt() {
    [ -f "$exceptions" ] && grep -v '^#' "$exceptions" | awk '{ print $1 }' | grep -qxF "$1"
}

while IFS="$(printf '\t')" read -r mod trad stmts first len where; do
    file=${where%%(*}
    name=${where##*: }
    nf=$((nf + 1))
    if [ "$len" -gt 100 ] && ! exempt "$file:$name"; then
        echo "check-size: $where: $len lines (limit 100; aim under 50)" >&2
        fail=1
    fi
    if [ "$mod" -gt 25 ]; then
        echo "check-size: $where: complexity $mod (limit 25)" >&2
        fail=1
    elif [ "$mod" -gt 15 ]; then
        echo "check-size: warning: $where: complexity $mod (aim 15 or less)" >&2
    fi
done <"$tmp"

if [ $# -eq 0 ] && [ -f "$exceptions" ]; then
    for e in $(grep -v '^#' "$exceptions" | awk '{ print $1 }'); do
        grep -q "^[0-9]*	[0-9]*	[0-9]*	[0-9]*	[0-9]*	${e%%:*}([0-9]*): ${e#*:}$" "$tmp" ||
            echo "check-size: warning: $exceptions: $e is not needed any more" >&2
    done
fi

if [ $fail -ne 0 ]; then
    echo "check-size: FAILED" >&2
    exit 1
fi
echo "check-size: ok ($n files, $nf functions)"
