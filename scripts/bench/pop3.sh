#!/usr/bin/env bash
# pop3.sh - POP3 retrieval and login rates of mail-server against Dovecot, same run.
#
# Fills USERS mailboxes with MESSAGES messages each (pop3_load.py, MaildirStore naming,
# CRLF), serves one copy with mail-server and another with dovecot-pop3d (own config,
# passwd-file with the same users, loopback port), then measures with the same load
# client against each: messages retrieved per second (every message of every mailbox,
# pipelined RETR, checksummed) and logins per second (USER/PASS/STAT/QUIT). Traffic goes
# to 127.0.0.1 only; every phase is bounded in time.
#   USERS=100 MESSAGES=100 ROUNDS=5 PROCS=2 SECONDS_LOGIN=3 RUNS=3 scripts/bench/pop3.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
MAIL_BIN=${MAIL_BIN:-$PWD/build/bin}
USERS=${USERS:-100} MESSAGES=${MESSAGES:-100} ROUNDS=${ROUNDS:-5} PROCS=${PROCS:-2}
SECONDS_LOGIN=${SECONDS_LOGIN:-3} SESSIONS=${SESSIONS:-8}
LOAD=$PWD/test/lib/pop3_load.py

T=$(mktemp -d /tmp/mail-bench-pop3.XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
	local port=$1 i
	for ((i = 0; i < 200; i++)); do
		if nc -z 127.0.0.1 "$port" 2>/dev/null; then return 0; fi
		sleep 0.05
	done
	echo "bench pop3: nothing listens on port $port" >&2
	return 1
}

OUR_POP=$(free_port) OUR_SMTP=$(free_port) DOVE_POP=$(free_port)
{
	printf 'dns:\n  listen: 127.0.0.1:%s\n  zone: zone.yaml\nagent: {}\nservers:\n  pop.test:\n' "$(free_port)"
	printf '    smtp: %s\n    pop: %s\n    logging:\n      level: warning\n    accounts:\n' "$OUR_SMTP" "$OUR_POP"
	for ((i = 0; i < USERS; i++)); do printf '      u%03d@pop.test: p%03d\n' "$i" "$i"; done
} >"$T/mail.yaml"
printf 'MX: {}\n' >"$T/zone.yaml"

echo "filling $USERS mailboxes x $MESSAGES messages"
python3 "$LOAD" fill "$T/data/pop.test/mail" pop.test "$USERS" "$MESSAGES" "$T/manifest.json"
"$MAIL_BIN/mail-server" -n pop.test --conf "$T/mail.yaml" --data "$T/data" 2>"$T/mail-server.log" &
pids+=($!)

# Dovecot: its own copy of the Maildirs, owned by the unprivileged user it runs mail as.
have_dovecot=0
if dove_pid=$(start_dovecot "$T/dovecot" pop3 "$DOVE_POP" "$T/data/pop.test/mail" "$USERS"); then
	have_dovecot=1
	pids+=("$dove_pid")
fi

wait_port "$OUR_POP"
[ "$have_dovecot" = 1 ] && wait_port "$DOVE_POP"

# run_parts MODE PORT ARGS...: PROCS load processes on disjoint users; prints the summed JSON.
run_parts() {
	local mode=$1 port=$2; shift 2
	local k outs=()
	for ((k = 0; k < PROCS; k++)); do
		timeout 300 python3 "$LOAD" "$mode" 127.0.0.1 "$port" "$T/manifest.json" --part "$k/$PROCS" "$@" >"$T/part.$k" &
		outs+=($!)
	done
	local failed=0
	for k in "${outs[@]}"; do wait "$k" || failed=1; done
	sum_parts "$T" "$PROCS" "$failed"
}

# measure NAME PORT: prints "NAME messages/s logins/s" after a warm-up round.
measure() {
	local name=$1 port=$2 fetch login
	run_parts fetch "$port" --sessions "$SESSIONS" --rounds 1 --pipeline >&2 # warm-up (indexes, caches)
	fetch=$(run_parts fetch "$port" --sessions "$SESSIONS" --rounds "$ROUNDS" --pipeline)
	login=$(run_parts logins "$port" --sessions "$SESSIONS" --seconds "$SECONDS_LOGIN")
	echo "$name fetch $fetch" >&2
	echo "$name logins $login" >&2
	python3 - "$name" "$fetch" "$login" <<'PY'
import json, sys
name, f, l = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print("%s %.0f %.0f %.1f" % (name, f["messages"] / f["seconds"], l["logins"] / l["seconds"],
                             f["bytes"] / f["seconds"] / 1e6))
PY
}

echo "load: $PROCS client processes x $SESSIONS sessions, $ROUNDS rounds of $((USERS * MESSAGES)) messages (pipelined RETR, checksummed), logins for ${SECONDS_LOGIN}s; $RUNS runs"
o_msg=() o_login=() o_mb=() d_msg=() d_login=() d_mb=()
for ((r = 0; r < RUNS; r++)); do
	read -r _ a b c < <(measure mail-server "$OUR_POP")
	o_msg+=("$a") o_login+=("$b") o_mb+=("$c")
	printf '%-12s %10s msg/s %8s logins/s %8s MB/s\n' mail-server "$a" "$b" "$c"
	if [ "$have_dovecot" = 1 ]; then
		read -r _ a b c < <(measure dovecot "$DOVE_POP")
		d_msg+=("$a") d_login+=("$b") d_mb+=("$c")
		printf '%-12s %10s msg/s %8s logins/s %8s MB/s\n' dovecot "$a" "$b" "$c"
	fi
done
if [ "$have_dovecot" = 1 ]; then
	echo "ratio mail-server/dovecot: retrieval $(ratio "$(median "${o_msg[@]}")" "$(median "${d_msg[@]}")"), logins $(ratio "$(median "${o_login[@]}")" "$(median "${d_login[@]}")")"
	dove_row="| Dovecot $(dovecot --version 2>/dev/null | awk '{ print $1 }') | $(stat3 "${d_msg[@]}") | $(stat3 "${d_login[@]}") | $(stat3 "${d_mb[@]}") |"
else
	echo "dovecot: not installed (dovecot-pop3d, WITH_BENCH=1 scripts/install-deps.sh); no reference figures"
	dove_row="| Dovecot | not installed | | |"
fi
section pop3 <<MD
$PROCS client processes x $SESSIONS sessions; retrieval: $ROUNDS rounds over $USERS mailboxes x $MESSAGES
messages (pipelined RETR, checksummed, after a warm-up round); logins: USER/PASS/STAT/QUIT
for ${SECONDS_LOGIN} s. Dovecot: dovecot-pop3d with its high-performance login mode, same Maildirs.

| | messages/s | logins/s | MB/s |
| --- | --- | --- | --- |
| mail-server | $(stat3 "${o_msg[@]}") | $(stat3 "${o_login[@]}") | $(stat3 "${o_mb[@]}") |
$dove_row

Retrieval mail-server / Dovecot: $( [ "$have_dovecot" = 1 ] && ratio "$(median "${o_msg[@]}")" "$(median "${d_msg[@]}")" || echo -); logins: $( [ "$have_dovecot" = 1 ] && ratio "$(median "${o_login[@]}")" "$(median "${d_login[@]}")" || echo -).
MD
