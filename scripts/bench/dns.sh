#!/usr/bin/env bash
# dns.sh - mail-dns against NSD: same zone, same query mix, same dnsperf run, qps and ratio,
# each server's CPU per query, and the kernel-only ceiling (dns_ceiling.c: recvmmsg/sendmmsg
# with no lookup, an NXDOMAIN for everything) with the same dnsperf on the same cores.
#
# The comparison is kept even: each server gets the very same dnsperf command (-c CLIENTS
# -T PERF_THREADS -q 500 -l DURATION, the same query file), the three are measured in turn
# within each run, and each uses THREADS workers with one SO_REUSEPORT socket each:
# mail-dns --threads THREADS (threads, 32 datagrams per recvmmsg/sendmmsg, dns.busy_poll_us
# at its default 50), NSD server-count THREADS with reuseport: yes (processes; NSD 4.6
# receives up to 100 per recvmmsg and waits in epoll), the ceiling THREADS threads with
# mail-dns's batches and busy polling (the faster design of the two).
#
# Needs dnsperf, nsd and python3-yaml (install-deps.sh WITH_BENCH=1); installs nothing.
# Both servers run from a temp dir on free loopback ports with their own config and pid
# file, so an nsd the package may have started elsewhere is not involved.
#   DURATION=seconds per server and run (default 5; RUNS=3 runs alternate the servers)   CLIENTS=dnsperf clients (default 8)
#   ZONE=zone file (default conf/zone.yaml)   THREADS=mail-dns workers / nsd server-count / ceiling threads (default: cores)
#   PERF_THREADS=dnsperf threads (default 1: one sending and one receiving thread)
#   BUSY_POLL=the ceiling's busy polling in microseconds (default 50, mail-dns's default)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
MAIL_BIN=${MAIL_BIN:-$PWD/build/bin}
DURATION=${DURATION:-5}
CLIENTS=${CLIENTS:-8}
ZONE=${ZONE:-conf/zone.yaml}
THREADS=${THREADS:-$(nproc)}
PERF_THREADS=${PERF_THREADS:-1}
BUSY_POLL=${BUSY_POLL:-50}
for tool in dnsperf nsd python3; do
	command -v "$tool" >/dev/null || { echo "bench dns: $tool missing (make bench installs it)" >&2; exit 1; }
done

T=$(mktemp -d /tmp/mail-bench-dns.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	retire "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

read -r DNS_PORT NSD_PORT CEILING_PORT < <(python3 - <<'PY'
import random, socket
out = []
while len(out) < 3:
    p = random.randint(20000, 32767)
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p)); u.close()
        if p not in out: out.append(p)
    except OSError: pass
print(*out)
PY
)

# The same zone for NSD: one root zone holding every name, P as TYPE65280 \# 2 XXXX
# (RFC 3597), and A 127.0.0.1 for a P name without A, as mail-dns answers.
python3 - "$ZONE" >"$T/root.zone" <<'PY'
import sys, yaml
zone = yaml.safe_load(open(sys.argv[1])) or {}
fq = lambda n: str(n).rstrip(".").lower() + "."
print("$TTL 60\n. IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 60\n. IN NS ns.bench.\nns.bench. IN A 127.0.0.1")
for name, value in (zone.get("MX") or {}).items():
    for mx in (value if isinstance(value, list) else [{"preference": 10, "host": value}]):
        print("%s IN MX %d %s" % (fq(name), mx.get("preference", 10), fq(mx["host"])))
a = {fq(n): v for n, v in (zone.get("A") or {}).items()}
for name, v in a.items():
    for addr in (v if isinstance(v, list) else [v]):
        print("%s IN A %s" % (name, addr))
for name, port in (zone.get("P") or {}).items():
    print("%s IN TYPE65280 \\# 2 %04X" % (fq(name), int(port)))
    if fq(name) not in a:
        print("%s IN A 127.0.0.1" % fq(name))
PY
cat >"$T/nsd.conf" <<NSD
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	server-count: $THREADS
	reuseport: yes
	username: ""
	chroot: ""
	zonesdir: "$T"
	database: ""
	zonelistfile: "$T/zone.list"
	xfrdfile: "$T/xfrd.state"
	xfrdir: "$T"
	pidfile: "$T/nsd.pid"
	logfile: "$T/nsd.log"
	verbosity: 0
	hide-version: yes
	minimal-responses: yes
	refuse-any: no
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "root.zone"
NSD
nsd-checkzone . "$T/root.zone" >/dev/null
nsd-checkconf "$T/nsd.conf"

# Query mix: MX, A, P and NXDOMAIN, equally often.
cat >"$T/queries" <<Q
gmail.com MX
mail.sustech.edu.cn MX
smtp.gmail.com A
pop.exmail.qq.com A
smtp.gmail.com TYPE65280
gmail-smtp-in.l.google.com TYPE65280
nosuch.gmail.com A
unknown.example MX
Q

wait_answering() {
	local port=$1 i
	for ((i = 0; i < 100; i++)); do
		[ "$(dig @127.0.0.1 -p "$port" +time=1 +tries=1 +short gmail.com MX 2>/dev/null)" = "10 gmail-smtp-in.l.google.com." ] && return 0
		sleep 0.1
	done
	echo "bench dns: server on port $port does not answer" >&2
	return 1
}

# qps PORT PID: "queries/s CPU-us/query" (PID's process tree, during the dnsperf run).
qps() {
	local port=$1 pid=$2 cpu0 cpu1 rate
	phase load
	cpu0=$(tree_cpu "$pid")
	dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -l "$DURATION" -c "$CLIENTS" -T "$PERF_THREADS" -q 500 >"$T/perf.$port" 2>&1
	cpu1=$(tree_cpu "$pid")
	phase setup
	rate=$(awk '/Queries per second:/ { print int($4) }' "$T/perf.$port")
	echo "$rate $(python3 -c 'import sys; r, a, b = map(float, sys.argv[1:]); print("%.2f" % ((b - a) * 1e6 / (r * '"$DURATION"')) if r else "-")' "$rate" "$cpu0" "$cpu1")"
	grep -E "Queries (sent|completed|lost)" "$T/perf.$port" | sed 's/^ */#   /' >&2
}

"$MAIL_BIN/mail-dns" --listen "127.0.0.1:$DNS_PORT" --zone "$PWD/$ZONE" --threads "$THREADS" >"$T/mail-dns.log" 2>&1 &
dns_pid=$!
pids+=("$dns_pid")
nsd -d -c "$T/nsd.conf" >"$T/nsd.out" 2>&1 &
nsd_pid=$!
pids+=("$nsd_pid")
ceiling_pid=
if cc -O2 -pthread -o "$T/dns_ceiling" scripts/bench/dns_ceiling.c 2>"$T/cc.log"; then
	"$T/dns_ceiling" "$CEILING_PORT" "$THREADS" "$BUSY_POLL" &
	ceiling_pid=$!
	pids+=("$ceiling_pid")
else
	echo "bench dns: dns_ceiling.c did not compile (no ceiling row): $(cat "$T/cc.log")" >&2
fi
wait_answering "$DNS_PORT"
wait_answering "$NSD_PORT"
for ((i = 0; i < 100 && ${#ceiling_pid}; i++)); do
	dig @127.0.0.1 -p "$CEILING_PORT" +time=1 +tries=1 ceiling.test A 2>/dev/null | grep -q NXDOMAIN && break
	sleep 0.1
done

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# dnsperf ${DURATION}s, $CLIENTS clients, 4 query types; servers with $THREADS threads; $RUNS runs"
ours=() theirs=() ceiling=() ours_cpu=() theirs_cpu=() ceiling_cpu=()
for ((r = 0; r < RUNS; r++)); do
	echo "# mail-dns:" >&2
	read -r q c < <(qps "$DNS_PORT" "$dns_pid")
	ours+=("$q") ours_cpu+=("$c")
	echo "# nsd:" >&2
	read -r q c < <(qps "$NSD_PORT" "$nsd_pid")
	theirs+=("$q") theirs_cpu+=("$c")
	if [ -n "$ceiling_pid" ]; then
		echo "# kernel-only ceiling:" >&2
		read -r q c < <(qps "$CEILING_PORT" "$ceiling_pid")
		ceiling+=("$q") ceiling_cpu+=("$c")
	fi
	echo "run $((r + 1)): mail-dns ${ours[-1]} (${ours_cpu[-1]} us/query), nsd ${theirs[-1]} (${theirs_cpu[-1]} us/query)$([ -n "$ceiling_pid" ] && echo ", ceiling ${ceiling[-1]} (${ceiling_cpu[-1]} us/query)")"
done
echo "mail-dns qps=$(stat3 "${ours[@]}")"
echo "nsd qps=$(stat3 "${theirs[@]}")"
echo "ratio mail-dns/nsd=$(ratio "$(median "${ours[@]}")" "$(median "${theirs[@]}")")"
ceiling_row="| kernel-only ceiling (dns_ceiling.c: recvmmsg/sendmmsg, busy polling, no lookup) | $(stat3 "${ceiling[@]}") | $(stat3 "${ceiling_cpu[@]}") |"
[ -n "$ceiling_pid" ] || ceiling_row="| kernel-only ceiling | no C compiler | |"
section dns <<MD
The same dnsperf command for each server (\`-l ${DURATION} -c $CLIENTS -T $PERF_THREADS -q 500\`, MX/A/P/NXDOMAIN
mix), the three measured in turn in each of $RUNS runs; each server with $THREADS SO_REUSEPORT sockets on the same
zone: mail-dns \`--threads $THREADS\` (dns.busy_poll_us 50), NSD $(nsd -v 2>&1 | head -1 | awk '{ print $3 }') \`server-count: $THREADS\`
and \`reuseport: yes\`, the ceiling $THREADS threads with mail-dns's batching and busy polling ($BUSY_POLL us).
Load average at the start: $LOAD0; at the end: $(cut -d' ' -f1-3 /proc/loadavg).

Server CPU: what the server's process tree used per answered query during the run.

| | queries/s | server CPU µs/query |
| --- | --- | --- |
| mail-dns | $(stat3 "${ours[@]}") | $(stat3 "${ours_cpu[@]}") |
| NSD | $(stat3 "${theirs[@]}") | $(stat3 "${theirs_cpu[@]}") |
$ceiling_row

mail-dns / NSD: $(ratio "$(median "${ours[@]}")" "$(median "${theirs[@]}")"); mail-dns / kernel-only ceiling: $( [ -n "$ceiling_pid" ] && ratio "$(median "${ours[@]}")" "$(median "${ceiling[@]}")" || echo -).
MD
