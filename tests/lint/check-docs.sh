#!/bin/sh
# SPDX-License-Identifier: MIT
# Options and exit codes agree everywhere (curl's test1477/option-file checks, STYLE.md 1.3):
#  - every option of `h2get --dump-options` (the table behind --help) is documented in the
#    man page's OPTIONS section and offered by the bash, zsh and fish completions;
#  - the man page and the completions name no option that does not exist;
#  - the EXIT STATUS section lists exactly the exit codes of src/base/err.def;
#  - the generated parts are up to date (scripts/gendocs.sh --check);
#  - mandoc (or groff) finds no warning, and the completions parse in their shells.
# Run from the repository root after `make all`. It then runs its self-test: the same
# checks on copies with an option removed, an option invented, an exit code added, which
# must fail naming what is wrong. H2GET names the binary (default ./h2get).
set -u

H2GET=${H2GET:-./h2get}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Lines of a man page section, from ".SH NAME" to the next ".SH".
section() {
    awk -v want="$1" '
    /^\.SH / { name = substr($0, 5); gsub(/"/, "", name); on = (name == want); next }
    on' "$2"
}

# Option names in roff text: \- becomes -, font escapes go.
roff_plain() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(dq/"/g'
}

# Compare two sorted lists; report lines missing from $2 and extra in $2.
compare() { # what want got
    comm -23 "$2" "$3" | sed "s|^|docs: $1: missing |"
    comm -13 "$2" "$3" | sed "s|^|docs: $1: names unknown option |"
}

# check ROOT DUMP ERRDEF: all checks on the man page and completions under ROOT.
check() {
    root=$1 dump=$2 errdef=$3 w=$tmp/w
    mkdir -p "$w"
    awk -F '\t' '$4 != "hidden" { print $1; if ($2 != "") print $2 }' "$dump" | sort -u >"$w/want"
    [ -s "$w/want" ] || { echo "docs: no options in the table dump"; return; }
    man=$root/man/h2get.1

    # man page: the option tags of OPTIONS, and every --long mentioned anywhere
    section OPTIONS "$man" | awk 'p { print } { p = ($0 == ".TP") }' | roff_plain |
        grep -oE '(^|[ ,])(--?[A-Za-z0-9][A-Za-z0-9.-]*|-#)' | tr -d ' ,' | sort -u >"$w/man"
    compare "man page OPTIONS" "$w/want" "$w/man"
    grep -v '^\.\\"' "$man" | roff_plain | grep -oE -- '--[a-z0-9][a-z0-9.-]*[a-z0-9]' |
        sort -u | comm -23 - "$w/want" | sed 's/^/docs: man page: names unknown option /'

    # bash: the word list and the case patterns
    sed -n "s/^ *local opts='\(.*\)'$/\1/p; s/^    \(-[^ ]*\))$/\1/p" \
        "$root/completions/h2get.bash" | tr ' |' '\n\n' | grep . | sort -u >"$w/bash.all"
    sed -n "s/^ *local opts='\(.*\)'$/\1/p" "$root/completions/h2get.bash" | tr ' ' '\n' |
        grep . | sort -u >"$w/bash"
    compare "completions/h2get.bash" "$w/want" "$w/bash"
    comm -13 "$w/want" "$w/bash.all" | comm -23 - "$w/bash" |
        sed 's/^/docs: completions\/h2get.bash: names unknown option /'

    # zsh: the option words before each spec's description
    grep -E "^ +'" "$root/completions/h2get.zsh" | sed 's/\[.*//' |
        grep -oE -- '(--?[A-Za-z0-9][A-Za-z0-9.-]*|-#)' | sort -u >"$w/zsh"
    compare "completions/h2get.zsh" "$w/want" "$w/zsh"

    # fish: -s X and -l NAME of each complete line
    sed -n 's/^complete -c h2get\(.*\) -d .*/\1/p' "$root/completions/h2get.fish" |
        awk '{ for (i = 1; i < NF; i++) { if ($i == "-s") { s = $(i + 1); gsub(/\047/, "", s)
               print "-" s }
               if ($i == "-l") print "--" $(i + 1) } }' | sort -u >"$w/fish"
    compare "completions/h2get.fish" "$w/want" "$w/fish"

    # exit codes: src/base/err.def against the tags of EXIT STATUS
    grep '^H2E_ROW(' "$errdef" | awk -F ',' '{ gsub(/ /, "", $4); print $4 }' | sort -u >"$w/codes"
    section "EXIT STATUS" "$man" | awk 'p { print } { p = ($0 == ".TP") }' |
        sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' | sort -u >"$w/mancodes"
    comm -23 "$w/codes" "$w/mancodes" | sed 's/^/docs: man page EXIT STATUS: missing exit code /'
    comm -13 "$w/codes" "$w/mancodes" |
        sed 's/^/docs: man page EXIT STATUS: exit code not in src\/base\/err.def: /'

    # roff warnings
    if command -v mandoc >/dev/null 2>&1; then
        mandoc -T lint -W warning "$man" 2>&1 | sed 's/^/docs: /'
    else
        groff -ww -z -man "$man" 2>&1 | sed 's/^/docs: /'
    fi
}

# The completions parse; a missing shell is a failure in CI, a notice elsewhere.
check_shells() {
    for sh in bash zsh fish; do
        if ! command -v $sh >/dev/null 2>&1; then
            if [ -n "${CI:-}" ]; then echo "docs: $sh is not installed (make deps)"; fi
            echo "check-docs: skip: $sh syntax check ($sh not installed)" >&2
            continue
        fi
        $sh -n "completions/h2get.$sh" 2>&1 | sed "s/^/docs: $sh: /"
    done
    # fish -n passes lines that fail when run (an unquoted '#' left -s without its letter)
    if command -v fish >/dev/null 2>&1; then
        fish --no-config -c 'source completions/h2get.fish' 2>&1 | sed 's/^/docs: fish: /'
    fi
}

# Mutate a copy, run the checks, expect a complaint containing $2.
expect_fail() { # name expected-text mutation-command...
    name=$1 want=$2
    shift 2
    rm -rf "$tmp/copy"
    mkdir -p "$tmp/copy/man" "$tmp/copy/completions"
    cp man/h2get.1 "$tmp/copy/man/"
    cp completions/h2get.* "$tmp/copy/completions/"
    cp src/base/err.def "$tmp/copy/err.def"
    (cd "$tmp/copy" && "$@")
    out=$(check "$tmp/copy" "$tmp/dump" "$tmp/copy/err.def")
    case $out in
    *"$want"*) echo "check-docs: self-test ok: $name" ;;
    *)
        echo "docs: self-test: '$name' was not caught (wanted '$want', got: $out)"
        ;;
    esac
}

drop_keylog_man() {
    awk '/^\.TP$/ { held = $0; next }
         held != "" { if ($0 ~ /keylog/ && $0 ~ /^\\fB/) { skip = 2 } else print held; held = "" }
         skip > 0 { skip--; next } { print }' man/h2get.1 >m && mv m man/h2get.1
}

self_test() {
    if [ -n "$(check . "$tmp/dump" src/base/err.def)" ]; then
        echo "docs: self-test: skipped, the tree itself fails the checks"
        return
    fi
    expect_fail "option left out of the man page" \
        "man page OPTIONS: missing --keylog" drop_keylog_man
    expect_fail "option invented in the man page" "man page: names unknown option --frobnicate" \
        sed -i 's/^Save output files in DIR\.$/& See \\-\\-frobnicate./' man/h2get.1
    expect_fail "option left out of bash" "completions/h2get.bash: missing --keylog" \
        sed -i 's/ --keylog / /' completions/h2get.bash
    expect_fail "option invented in bash" "completions/h2get.bash: names unknown option --bogus" \
        sed -i 's/^    --output-dir|/    --bogus|--output-dir|/' completions/h2get.bash
    expect_fail "option left out of zsh" "completions/h2get.zsh: missing -k" \
        sed -i '/--insecure}/d' completions/h2get.zsh
    expect_fail "option invented in fish" "completions/h2get.fish: names unknown option --bogus" \
        sh -c 'echo "complete -c h2get -l bogus -d x" >>completions/h2get.fish'
    expect_fail "option left out of fish" "completions/h2get.fish: missing -L" \
        sed -i 's/ -s L -l location / -l location /' completions/h2get.fish
    expect_fail "exit code added to err.def" "missing exit code 99" \
        sh -c 'echo "H2E_ROW(NEW, NO_ERROR, LOCAL, 99, \"new\")" >>err.def'
    expect_fail "exit code dropped from err.def" "exit code not in src/base/err.def: 123" \
        sed -i '/^H2E_ROW(SCRIPT,/d' err.def
    expect_fail "roff warning" "docs: mandoc" sed -i 's/^\.SH EXAMPLES$/.SH EXAMPLES\n.XX/' \
        man/h2get.1
}

if [ ! -x "$H2GET" ]; then
    echo "check-docs: $H2GET not found; run 'make all' first" >&2
    exit 1
fi
"$H2GET" --dump-options >"$tmp/dump" || { echo "check-docs: $H2GET --dump-options failed" >&2; exit 1; }
{
    check . "$tmp/dump" src/base/err.def
    check_shells
    H2GET=$H2GET sh scripts/gendocs.sh --check 2>&1 | sed 's/^gendocs: /docs: /'
    self_test
} >"$tmp/report"
grep -v '^docs: ' "$tmp/report"
if grep -q '^docs: ' "$tmp/report"; then
    grep '^docs: ' "$tmp/report" | sed 's/^docs: /check-docs: /' >&2
    echo "check-docs: FAILED" >&2
    exit 1
fi
nopts=$(awk -F '\t' '$4 != "hidden"' "$tmp/dump" | wc -l)
ncodes=$(grep '^H2E_ROW(' src/base/err.def | awk -F ',' '{ print $4 }' | sort -u | wc -l)
echo "check-docs: ok ($nopts options, $ncodes exit codes, man page and 3 completions)"
