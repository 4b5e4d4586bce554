#!/usr/bin/env bash
# relay.sh - relay end to end: MESSAGES messages A -> B through mail-server, and the same
# load relayed by a private Postfix to the same B, in one run.
#
# mail-dns serves MX/P records for a.example (server A, ours) and b.example (server B,
# ours, the final destination). The load client (smtp_load.py, SESSIONS sessions, one
# connection each, 1 KB messages) submits to A for rcpt@b.example; then the same load goes
# to A for a local recipient (the local accept rate), and to Postfix, which relays to B
# through a transport map (b.example -> [127.0.0.1]:B, no DNS). Figures per run (fresh
# data dirs each): accept rate (messages / client time), drain rate (messages / first
# connect -> last message in B's new/), SMTP connections B accepted (B's log) and DNS
# queries mail-dns answered (its "stopped ... queries=N" line), and CPU per message over each
# load's window: the whole machine's (/proc/stat) and A's and B's (/proc/PID/stat).
# A second mail-server row runs A with `relay: {workers: WIDE_WORKERS}` (20, Postfix's
# default_destination_concurrency_limit): the default relay.workers (4, SPEC.md) caps A at 4
# transactions in flight, and this row shows what that cap costs.
#   env: MAIL_BIN, MESSAGES=10000 (the issue's load; about 4 minutes for the part with both
#   mail-server rows and Postfix, 3 runs), SESSIONS=10, RUNS=3, WIDE_WORKERS=20
#   (0: no second row)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
bin=${MAIL_BIN:-$PWD/build/bin}
MESSAGES=${MESSAGES:-10000}
WIDE_WORKERS=${WIDE_WORKERS:-20}
SESSIONS=${SESSIONS:-10}
LOAD=$PWD/scripts/bench/smtp_load.py
for tool in postfix python3 nc; do
	command -v "$tool" >/dev/null || { echo "relay.sh: $tool missing (WITH_BENCH=1 scripts/install-deps.sh)" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || true

T=$(mktemp -d /tmp/mail-bench-relay.XXXXXX)
spread "$T" # ours, Postfix and the baseline each in a block group of its own
PF=$T/postfix
chmod 755 "$T"
declare -A pid_of=()
cleanup() {
	local p
	for p in "${pid_of[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pid_of[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -f "$PF/conf/main.cf" ]; then postfix -c "$PF/conf" stop >/dev/null 2>&1 || true; fi
	retire "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

read -r A_SMTP A_POP B_SMTP B_POP DNS PFPORT < <(free_ports 6)
cat >"$T/zone.yaml" <<YAML
MX:
  a.example.: mx.a.example.
  b.example.: mx.b.example.
P:
  mx.a.example.: $A_SMTP
  mx.b.example.: $B_SMTP
YAML
cat >"$T/mail.yaml" <<YAML
dns:
  listen: 127.0.0.1:$DNS
  zone: zone.yaml
servers:
  a.example:
    smtp: $A_SMTP
    pop: $A_POP
    accounts:
      sender@a.example: pw
      local@a.example: pw
    logging:
      level: warning
  b.example:
    smtp: $B_SMTP
    pop: $B_POP
    accounts:
      rcpt@b.example: pw
      viapf@b.example: pw
limits:
  max_sessions: 2000
  max_sessions_per_ip: 2000
  max_messages_per_session: 1000000
logging:
  level: information
YAML

# The same, with A's relay widened to WIDE_WORKERS workers.
sed "s/^      local@a.example: pw\$/      local@a.example: pw\n    relay:\n      workers: $WIDE_WORKERS/" "$T/mail.yaml" >"$T/mail-wide.yaml"

# start NAME [CONF]: starts mail-dns (NAME dns) or a mail-server, logging to $T/NAME.log.
start() {
	if [ "$1" = dns ]; then
		"$bin/mail-dns" --conf "$T/mail.yaml" >/dev/null 2>"$T/dns.log" &
		pid_of[dns]=$!
		for _ in $(seq 1 100); do grep -q started "$T/dns.log" && break; sleep 0.05; done
	else
		"$bin/mail-server" -n "$1" --conf "${2:-$T/mail.yaml}" --data "$T/data" >/dev/null 2>"$T/$1.log" &
		pid_of[$1]=$!
	fi
}
stop() {
	kill "${pid_of[$1]}" 2>/dev/null || true
	wait "${pid_of[$1]}" 2>/dev/null || true
	unset "pid_of[$1]"
}

# load PORT RCPT ARGS...: the client's figures (smtp_load.py, ARGS: --fields and --wait-dir).
load() {
	local port=$1 rcpt=$2
	shift 2
	python3 "$LOAD" 127.0.0.1 "$port" --sessions "$SESSIONS" --messages "$MESSAGES" --size 1024 --mode reuse \
		--from sender@a.example --to "$rcpt" --timeout 900 --wait-timeout 900 "$@"
}

# Postfix relaying everything for b.example to B's port.
mkdir -p "$PF/conf"
echo "b.example smtp:[127.0.0.1]:$B_SMTP" >"$PF/conf/transport"
start_postfix "$PF" "$PFPORT" pf.a.example <<CF || exit 1
relay_domains = b.example
transport_maps = texthash:$PF/conf/transport
smtp_tls_security_level = none
CF
wait_tcp "$PFPORT"

# measured CMD...: runs CMD (a load) and prints its output, then what the window cost in
# CPU: the whole machine's CPU per message in us (every process: the load client, A, B,
# Postfix's daemons, mail-dns, the kernel's network work), A's and B's (mail-server's
# processes; "-" where that side is not running), and how busy the cores were (%).
# med0 FIGURES...: the median, rounded to a whole number.
med0() { printf '%.0f' "$(median "$@")"; }
HZ=$(getconf CLK_TCK)
CORES=$(nproc)
measured() {
	local apid=${pid_of[a.example]:-0} bpid=${pid_of[b.example]:-0} out m0 a0 b0 t0
	m0=$(machine_ticks) a0=$(cpu_ticks "$apid") b0=$(cpu_ticks "$bpid") t0=$(date +%s%N)
	out=$("$@") || { echo "$out"; return 1; }
	awk -v o="$out" -v n="$MESSAGES" -v hz="$HZ" -v cores="$CORES" -v ap="$apid" -v bp="$bpid" \
		-v m="$(($(machine_ticks) - m0))" -v a="$(($(cpu_ticks "$apid") - a0))" -v b="$(($(cpu_ticks "$bpid") - b0))" \
		-v s="$((($(date +%s%N) - t0) / 1000000))" \
		'BEGIN { us = 1e6 / hz / n; printf "%s %.0f %s %s %.0f\n", o, m * us, ap ? sprintf("%.0f", a * us) : "-", bp ? sprintf("%.0f", b * us) : "-", 100 * m / (s / 1000 * hz * cores) }'
}

# relayed PORT RCPT WHAT: the load to PORT for RCPT (a B account), until every message is in
# RCPT's new/ on B; prints "accept-msg/s drain-msg/s machine-us A-us B-us busy-% connections-B-accepted".
relayed() {
	local out
	phase load
	# accept: messages / client time; drain: first connect -> the last file in RCPT's new/ on B
	out=$(measured load "$1" "$2" --wait-dir "$B_NEW/$2/new" --fields accept_rate,rate) ||
		{ echo "relay.sh: load ($3) failed: $out" >&2; return 1; }
	phase setup
	echo "$out $(grep -c ' connected peer=' "$T/b.example.log" || true)"
}

# start_ours [A-CONF] / stop_ours: fresh data, mail-dns, B and A (A with A-CONF if given).
start_ours() {
	[ ! -e "$T/data" ] || set_aside "$T/data"
	start dns
	start b.example
	start a.example "${1:-}"
	wait_tcp "$B_SMTP"
	wait_tcp "$A_SMTP"
}
stop_ours() {
	stop a.example
	stop b.example
	stop dns
}

ours_accept=() ours_drain=() ours_conn=() ours_dns=() local_accept=() pf_accept=() pf_drain=() pf_conn=()
wide_accept=() wide_drain=() wide_conn=()
# CPU per message (us): the machine's, A's, B's; and the cores' busy %
ours_m=() ours_a=() ours_b=() ours_busy=() wide_m=() wide_a=() wide_b=() wide_busy=()
pf_m=() pf_b=() pf_busy=() local_m=() local_a=() local_busy=()
B_NEW=$T/data/b.example/mail
for ((r = 0; r < RUNS; r++)); do
	start_ours
	read -r a d m ca cb busy c < <(relayed "$A_SMTP" rcpt@b.example "A") || exit 1
	ours_accept+=("$a") ours_drain+=("$d") ours_conn+=("$c") ours_m+=("$m") ours_a+=("$ca") ours_b+=("$cb") ours_busy+=("$busy")
	phase load
	out=$(measured load "$A_SMTP" local@a.example --fields accept_rate) || { echo "relay.sh: local load to A failed: $out" >&2; exit 1; }
	phase setup
	read -r a m ca _ busy <<<"$out"
	local_accept+=("$a") local_m+=("$m") local_a+=("$ca") local_busy+=("$busy")
	stop_ours
	ours_dns+=("$(sed -n 's/.*stopped .*queries=\([0-9]*\).*/\1/p' "$T/dns.log")")

	if [ "$WIDE_WORKERS" -gt 0 ]; then
		start_ours "$T/mail-wide.yaml"
		read -r a d m ca cb busy c < <(relayed "$A_SMTP" rcpt@b.example "A, $WIDE_WORKERS workers") || exit 1
		wide_accept+=("$a") wide_drain+=("$d") wide_conn+=("$c") wide_m+=("$m") wide_a+=("$ca") wide_b+=("$cb") wide_busy+=("$busy")
		stop_ours
	fi

	set_aside "$T/data"
	start b.example
	wait_tcp "$B_SMTP"
	read -r a d m _ cb busy c < <(relayed "$PFPORT" viapf@b.example "Postfix") || exit 1
	pf_accept+=("$a") pf_drain+=("$d") pf_conn+=("$c") pf_m+=("$m") pf_b+=("$cb") pf_busy+=("$busy")
	stop b.example
	echo "run $((r + 1)): mail-server accept ${ours_accept[-1]} drain ${ours_drain[-1]} msg/s (local accept ${local_accept[-1]}), CPU us/msg machine ${ours_m[-1]} A ${ours_a[-1]} B ${ours_b[-1]} (local ${local_m[-1]}), connections ${ours_conn[-1]}, dns ${ours_dns[-1]};$([ "$WIDE_WORKERS" -gt 0 ] && echo " $WIDE_WORKERS workers: drain ${wide_drain[-1]};") postfix accept ${pf_accept[-1]} drain ${pf_drain[-1]} msg/s, connections ${pf_conn[-1]}"
done

section relay <<MD
$MESSAGES messages of 1 KB, $SESSIONS client sessions (one connection each), A -> B end to end.
Relay engine: what main had when this ran (see the commit line at the top; rerun it after
relay changes). mail-server's relay uses its defaults (relay.workers 4, no extra keys; the
second row sets only \`relay.workers\`, to Postfix's destination concurrency). Postfix
relays through a transport map to B's port (no DNS lookups); B is the same mail-server for
both. Drain: first connect to A until the last message is in B's new/. Connections: SMTP
sessions B accepted; DNS: queries mail-dns answered. Local accept: the same load to A for a
local recipient. Targets: drain >= 3x Postfix; remote accept >= 80% of local accept.

| | accept msg/s | drain msg/s | connections to B | DNS queries |
| --- | --- | --- | --- | --- |
| mail-server A -> B | $(stat3 "${ours_accept[@]}") | $(stat3 "${ours_drain[@]}") | $(stat3 "${ours_conn[@]}") | $(stat3 "${ours_dns[@]}") |
$([ "$WIDE_WORKERS" -gt 0 ] && echo "| mail-server A -> B, relay.workers $WIDE_WORKERS | $(stat3 "${wide_accept[@]}") | $(stat3 "${wide_drain[@]}") | $(stat3 "${wide_conn[@]}") | |")
| Postfix -> B | $(stat3 "${pf_accept[@]}") | $(stat3 "${pf_drain[@]}") | $(stat3 "${pf_conn[@]}") | 0 (transport map) |
| mail-server A, local recipient | $(stat3 "${local_accept[@]}") | | | |

CPU per message over each load's window (us, median of the runs): the whole machine's (every
process: the load client, A, B, Postfix's daemons, mail-dns, the kernel's network and disk
work), and A's and B's own (mail-server processes). The remote pipeline does its work on
the same $CORES cores as the load client: when the cores are busy in both loads, remote /
local accept can be no more than the local load's machine CPU per message over the remote
one's (the CPU ceiling below).

| CPU per message, us | whole machine | A | B | cores busy |
| --- | --- | --- | --- | --- |
| mail-server A -> B | $(med0 "${ours_m[@]}") | $(med0 "${ours_a[@]}") | $(med0 "${ours_b[@]}") | $(med0 "${ours_busy[@]}") % |
$([ "$WIDE_WORKERS" -gt 0 ] && echo "| mail-server A -> B, relay.workers $WIDE_WORKERS | $(med0 "${wide_m[@]}") | $(med0 "${wide_a[@]}") | $(med0 "${wide_b[@]}") | $(med0 "${wide_busy[@]}") % |")
| Postfix -> B | $(med0 "${pf_m[@]}") | (in the machine's) | $(med0 "${pf_b[@]}") | $(med0 "${pf_busy[@]}") % |
| mail-server A, local recipient | $(med0 "${local_m[@]}") | $(med0 "${local_a[@]}") | | $(med0 "${local_busy[@]}") % |

Drain mail-server / Postfix: $(ratio "$(median "${ours_drain[@]}")" "$(median "${pf_drain[@]}")")$([ "$WIDE_WORKERS" -gt 0 ] && echo " ($WIDE_WORKERS workers: $(ratio "$(median "${wide_drain[@]}")" "$(median "${pf_drain[@]}")"))"); remote / local accept: $(ratio "$(median "${ours_accept[@]}")" "$(median "${local_accept[@]}")") (CPU ceiling: $(ratio "$(median "${local_m[@]}")" "$(median "${ours_m[@]}")")).
MD
cat "$BENCH_SECTIONS/relay.md"
