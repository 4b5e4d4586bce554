#!/usr/bin/env bash
# gen-topology.sh - write a config and zone for N providers with USERS accounts each: the
# shape of a class where every student runs a provider (scripts/bench/sim.sh loads it,
# scripts/lab.sh spreads it over network namespaces).
#
#   scripts/gen-topology.sh N USERS [--out DIR] [--port-base PORT] [--dns HOST:PORT]
#                           [--lab PREFIX]
#
# Provider i (1..N) is server pI.example. It owns the domain pI.example; every third
# provider also owns pI.org (its even-numbered users live there), listed under `domains:`.
# Users are userJ@DOMAIN with password pwJ. Every domain has an MX record (mx.pI.example,
# preference 10); every fifth provider also has a backup exchanger mx2.pI.example at
# preference 20: a second name for the same server (mail-server has no store-and-forward
# backup role, and a backup that refused unknown domains would bounce the mail it took
# over). P records give the ports of mx, mx2, smtp and pop names.
# Without --lab every provider listens on 127.0.0.1: SMTP on PORT+2(i-1), POP3 on the next
# port (PORT default 30000), mail-dns on --dns (default 127.0.0.1:PORT-1), and since every
# relay then comes from 127.0.0.1, max_sessions_per_ip is raised to max_sessions.
# With --lab PREFIX (e.g. 10.77) provider i listens on PREFIX.(i+1).2 port 25 and 110, the
# DNS on PREFIX.1.2:53, and A records name those addresses.
# Writes DIR/mail.yaml, DIR/zone.yaml and DIR/users.txt (one "ADDRESS PASSWORD SERVER
# HOST:SMTP_PORT" per line, for load generators); DIR defaults to ./topology.
set -euo pipefail

usage() { sed -n '/^#   scripts/,/^#  *\[--lab/p' "$0" | sed 's/^# *//' >&2; exit 64; }
[ $# -ge 2 ] || usage
n=$1 users=$2
shift 2
[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 250 ]] || { echo "gen-topology: N must be 1..250" >&2; exit 64; }
[[ $users =~ ^[0-9]+$ && $users -ge 1 ]] || { echo "gen-topology: USERS must be a positive number" >&2; exit 64; }
out=topology base=30000 dns="" lab=""
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:?}; shift 2 ;;
	--port-base) base=${2:?}; shift 2 ;;
	--dns) dns=${2:?}; shift 2 ;;
	--lab) lab=${2:?}; shift 2 ;;
	*) usage ;;
	esac
done
[[ -z $lab || $lab =~ ^[0-9]+\.[0-9]+$ ]] || { echo "gen-topology: --lab wants the first two octets, e.g. 10.77" >&2; exit 64; }
[ -n "$lab" ] || [ $((base + 2 * n)) -le 65535 ] || { echo "gen-topology: ports past 65535" >&2; exit 64; }
if [ -z "$dns" ]; then
	if [ -n "$lab" ]; then dns=$lab.1.2:53; else dns=127.0.0.1:$((base - 1)); fi
fi
mkdir -p "$out"

addr() { echo "$lab.$(($1 + 1)).2"; }
host_of() { if [ -n "$lab" ]; then addr "$1"; else echo 127.0.0.1; fi; }
smtp_port() { if [ -n "$lab" ]; then echo 25; else echo $((base + 2 * ($1 - 1))); fi; }
pop_port() { if [ -n "$lab" ]; then echo 110; else echo $((base + 2 * ($1 - 1) + 1)); fi; }
# domain_of I J: the domain of provider I's user J.
domain_of() { if [ $(($1 % 3)) -eq 0 ] && [ $(($2 % 2)) -eq 0 ]; then echo "p$1.org"; else echo "p$1.example"; fi; }
domains_of() { if [ $(($1 % 3)) -eq 0 ]; then echo "p$1.example p$1.org"; else echo "p$1.example"; fi; }

{
	echo "# mail.yaml - $n providers with $users users each, written by scripts/gen-topology.sh."
	echo "dns:"
	echo "  listen: $dns"
	echo "  zone: zone.yaml"
	echo "agent:"
	for ((i = 1; i <= n; i++)); do
		for d in $(domains_of "$i"); do echo "  $d: { smtp: smtp.p$i.example, pop: pop.p$i.example }"; done
	done
	echo "relay:"
	echo "  workers: ${GEN_WORKERS:-4}"
	echo "  retry: [${GEN_RETRY:-2s, 5s, 30s}]"
	echo "  expire: 1h"
	if [ -z "$lab" ]; then
		echo "limits:"
		echo "  max_sessions_per_ip: 1000   # every provider relays from 127.0.0.1"
	fi
	echo "logging:"
	echo "  level: ${GEN_LOG_LEVEL:-information}"
	echo "servers:"
	for ((i = 1; i <= n; i++)); do
		echo "  p$i.example:"
		[ -z "$lab" ] || echo "    address: $(addr "$i")"
		echo "    smtp: $(smtp_port "$i")"
		echo "    pop: $(pop_port "$i")"
		[ $((i % 3)) -ne 0 ] || echo "    domains: [p$i.org]"
		echo "    accounts:"
		for ((j = 1; j <= users; j++)); do echo "      user$j@$(domain_of "$i" "$j"): pw$j"; done
	done
} >"$out/mail.yaml"

{
	echo "# zone.yaml - for $out/mail.yaml, written by scripts/gen-topology.sh."
	echo "MX:"
	for ((i = 1; i <= n; i++)); do
		for d in $(domains_of "$i"); do
			if [ $((i % 5)) -eq 0 ]; then
				echo "  $d.:"
				echo "    - { preference: 10, host: mx.p$i.example. }"
				echo "    - { preference: 20, host: mx2.p$i.example. }"
			else
				echo "  $d.: mx.p$i.example."
			fi
		done
	done
	echo "P:"
	for ((i = 1; i <= n; i++)); do
		for h in mx mx2 smtp; do
			[ "$h" != mx2 ] || [ $((i % 5)) -eq 0 ] || continue
			echo "  $h.p$i.example.: $(smtp_port "$i")"
		done
		echo "  pop.p$i.example.: $(pop_port "$i")"
	done
	if [ -n "$lab" ]; then
		echo "A:"
		for ((i = 1; i <= n; i++)); do
			for h in mx mx2 smtp pop; do
				[ "$h" != mx2 ] || [ $((i % 5)) -eq 0 ] || continue
				echo "  $h.p$i.example.: $(addr "$i")"
			done
		done
	fi
} >"$out/zone.yaml"

for ((i = 1; i <= n; i++)); do
	for ((j = 1; j <= users; j++)); do echo "user$j@$(domain_of "$i" "$j") pw$j p$i.example $(host_of "$i"):$(smtp_port "$i")"; done
done >"$out/users.txt"
echo "gen-topology: $n providers, $((n * users)) users in $out/mail.yaml, $out/zone.yaml, $out/users.txt"
