#!/bin/sh
# SPDX-License-Identifier: MIT
# Install, on Debian, the packages that building and testing h2get need, and only those that
# are missing. Run as root (CI is); without root it lists what is missing and fails.
set -eu

# build: compiler, pkg-config, GnuTLS; tests: bats, clang (libFuzzer), certtool, mandoc,
# the reference peers (nghttpd, nginx, python3-h2 family), hyperfine and libnghttp2 for the
# benchmarks (libnghttp2 is linked into bench programs only, never into h2get); lint:
# clang-format (check-style.sh), pmccabe (check-size.sh), zsh and fish (check-docs.sh parses
# the completions in their shells); the proxies of the proxy tests (squid with its
# basic_ncsa_auth helper, openssl for its htpasswd file, microsocks, nghttpx from
# nghttp2-proxy) and util-linux's unshare (a private /etc/hosts for one proxy); the
# content decoders (zlib, libbrotli, libzstd) and, for the compression tests, the brotli,
# zstd and gzip tools that make fixtures, and time (peak memory of a decompression bomb);
# Apache httpd (2.4.58+: mod_http2's H2WebSockets, WebSocket over HTTP/2 in front of a
# backend);
# sshd from openssh-server (ssh with h2get --tunnel-to as its ProxyCommand; the tests start
# their own on loopback, never the service); strace (--out-null opens nothing, and -o
# /dev/null is opened once per run).
PKGS="gcc make pkg-config libgnutls28-dev gnutls-bin bats clang libclang-rt-14-dev
      zlib1g-dev libbrotli-dev libzstd-dev brotli zstd gzip time
      mandoc nghttp2-client nghttp2-server libnghttp2-dev nginx-light
      python3 python3-h2 python3-hpack python3-hyperframe hyperfine curl valgrind
      clang-format pmccabe zsh fish squid openssl microsocks nghttp2-proxy util-linux apache2
      openssh-server strace"

missing=""
for p in $PKGS; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$s" in *"ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps: not root; install these packages first:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Packaged services (squid, nginx...) never start on install: tests start their own on
# loopback. invoke-rc.d asks policy-rc.d; 101 means "action forbidden".
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
