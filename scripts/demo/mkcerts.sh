#!/bin/sh
# SPDX-License-Identifier: MIT
# mkcerts.sh DIR: a throw-away CA (ca.pem) and a certificate for localhost, 127.0.0.1 and
# ::1 signed by it (server.pem, server.key), made with certtool (gnutls-bin), ECDSA P-256,
# valid for 7 days. For the demo only: the CA key sits next to it, unprotected.
set -eu
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"

cat >ca.tmpl <<'TMPL'
cn = "h2get demo CA"
organization = "h2get demo"
serial = 1
expiration_days = 7
ca
cert_signing_key
crl_signing_key
TMPL
cat >server.tmpl <<'TMPL'
cn = "localhost"
organization = "h2get demo"
serial = 2
expiration_days = 7
dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "::1"
tls_www_server
signing_key
encryption_key
TMPL

certtool --generate-privkey --key-type ecdsa --outfile ca.key >/dev/null 2>&1
certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl \
    --outfile ca.pem >/dev/null 2>&1
certtool --generate-privkey --key-type ecdsa --outfile server.key >/dev/null 2>&1
certtool --generate-certificate --load-privkey server.key --load-ca-certificate ca.pem \
    --load-ca-privkey ca.key --template server.tmpl --outfile server.pem >/dev/null 2>&1
