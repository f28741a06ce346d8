#!/bin/sh
# SPDX-License-Identifier: MIT
# mkdocroot.sh DIR: a small sample site for the demo: index.html linking to the rest, a
# style sheet, a text file, and data/random-4MiB.bin (fresh random bytes each run), with
# their SHA-256 sums in DIR/../SHA256SUMS so the demo can show the downloads are exact.
set -eu
dir=${1:?usage: mkdocroot.sh DIR}
mkdir -p "$dir/data"

cat >"$dir/index.html" <<'HTML'
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>h2get demo</title>
<link rel="stylesheet" href="/style.css"></head>
<body>
<h1>Hello from the h2get demo</h1>
<p>This page came over HTTP/2. Try <a href="/hello.txt">hello.txt</a> and
<a href="/data/random-4MiB.bin">a 4 MiB file</a>.</p>
</body>
</html>
HTML
cat >"$dir/style.css" <<'CSS'
body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
h1 { color: #2a6; }
CSS
printf 'hello, h2get\n' >"$dir/hello.txt"
head -c 4194304 /dev/urandom >"$dir/data/random-4MiB.bin"

(cd "$dir" && sha256sum index.html style.css hello.txt data/random-4MiB.bin) >"$dir/../SHA256SUMS"
