#!/usr/bin/env bash
# make-cert.sh - a self-signed certificate and key for the demo's TLS (STARTTLS, STLS, smtps, pops).
#
#   scripts/make-cert.sh [--force] [DIR]
#
# Writes DIR/cert.pem and DIR/key.pem (default DIR: conf/tls, where conf/mail.yaml's
# tls: section points). Keeps existing files unless --force. The key is ECDSA P-256,
# mode 0600, never committed (.gitignore); the certificate is valid for 825 days for
# localhost, 127.0.0.1 and the demo's host names, so clients need -k / --insecure or
# the certificate as their CA (curl --cacert DIR/cert.pem).
set -euo pipefail

force=0
if [ "${1:-}" = --force ]; then force=1; shift; fi
case ${1:-} in -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/conf/tls}
[ $# -le 1 ] || { echo "usage: $0 [--force] [DIR]" >&2; exit 64; }

if [ $force = 0 ] && [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ]; then
	echo "make-cert: $dir/cert.pem and key.pem exist (--force to replace)"
	exit 0
fi
mkdir -p "$dir"
umask 077
names="DNS:localhost,IP:127.0.0.1,DNS:smtp.exmail.qq.com,DNS:pop.exmail.qq.com,DNS:smtp.gmail.com,DNS:pop.gmail.com"
names+=",DNS:mxbiz1.qq.com,DNS:gmail-smtp-in.l.google.com"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
	-subj "/CN=localhost/O=mail demo" -addext "subjectAltName=$names" \
	-keyout "$dir/key.pem.tmp" -out "$dir/cert.pem.tmp" 2>/dev/null
chmod 644 "$dir/cert.pem.tmp"
mv "$dir/key.pem.tmp" "$dir/key.pem"
mv "$dir/cert.pem.tmp" "$dir/cert.pem"
echo "make-cert: wrote $dir/cert.pem and $dir/key.pem"
