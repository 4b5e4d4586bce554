#!/usr/bin/env bash
# idle.sh - the price of thread-per-connection: mail-server holding 1,000 and 5,000 idle SMTP
# sessions (RSS, threads, time to accept them, greeting wait of a new client meanwhile).
#
# A fresh mail-server per run (limits raised so the sessions are admitted, ulimit -n raised
# for it and the client); idle_load.py opens the sessions, each reads its greeting and then
# stays silent. No reference program: the targets are 5,000 sessions under 500 MiB and a
# greeting under 100 ms.
#   env: MAIL_BIN, COUNTS="1000 5000", RUNS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
bin=${MAIL_BIN:-$PWD/build/bin}
COUNTS=${COUNTS:-1000 5000}
ulimit -n 20000 || { echo "idle.sh: cannot raise ulimit -n to 20000" >&2; exit 1; }

T=$(mktemp -d /tmp/mail-bench-idle.XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	retire "$T"
}
trap cleanup EXIT

read -r SMTP POP DNS < <(free_ports 3)
cat >"$T/mail.yaml" <<YAML
dns:
  listen: 127.0.0.1:$DNS
  zone: zone.yaml
servers:
  idle.example:
    smtp: $SMTP
    pop: $POP
    accounts:
      u@idle.example: pw
limits:
  max_sessions: 10000
  max_sessions_per_ip: 10000
logging:
  level: warning
YAML
echo 'MX: {}' >"$T/zone.yaml"

declare -A accept rss threads wait
for ((r = 0; r < RUNS; r++)); do
	"$bin/mail-server" -n idle.example --conf "$T/mail.yaml" --data "$T/data" >/dev/null 2>"$T/server.log" &
	pid=$!
	wait_tcp "$SMTP"
	phase load
	# shellcheck disable=SC2086 # COUNTS: one argument per count
	while read -r line; do
		read -r n a m t w < <(python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(*(j[k] for k in sys.argv[2:]))' \
			"$line" sessions accept_s rss_mib threads greeting_p50_ms)
		accept[$n]+=" $a" rss[$n]+=" $m" threads[$n]+=" $t" wait[$n]+=" $w"
		echo "run $((r + 1)): $line"
	done < <(timeout 300 python3 scripts/bench/idle_load.py 127.0.0.1 "$SMTP" "$pid" $COUNTS)
	phase setup
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
done

rows=$(for n in $COUNTS; do
	# shellcheck disable=SC2086 # the lists are space-separated numbers
	echo "| $n | $(stat3 ${rss[$n]:-}) | $(stat3 ${threads[$n]:-}) | $(stat3 ${accept[$n]:-}) | $(stat3 ${wait[$n]:-}) |"
done)
section idle <<MD
mail-server (one thread per session) holding idle SMTP sessions that have read their greeting.
Accept: seconds from the first connect to the last greeting of the sessions added at that
step (500 connects in flight at most). Greeting wait: a new client, connect -> 220, p50 of 9
while the sessions are held. Target: 5,000 sessions under 500 MiB, greeting under 100 ms.

| idle sessions | RSS MiB | threads | accept s | greeting wait ms |
| --- | --- | --- | --- | --- |
$rows
MD
cat "$BENCH_SECTIONS/idle.md"
