#!/usr/bin/env bash
# pop3.sh - POP3 retrieval and login rates of mail-server against Dovecot, same run.
#
# mailbox_servers (lib.sh) fills USERS mailboxes with MESSAGES messages each and serves one
# copy with mail-server and another with dovecot-pop3d; then the same load client
# (mailbox_load.c, in C, compiled here) measures each: messages retrieved per second (every
# message of every mailbox, pipelined RETR, checksummed), the server's CPU per retrieved
# message (its whole process tree) and logins per second (USER/PASS/STAT/QUIT). Traffic goes
# to 127.0.0.1 only; every phase is bounded in time.
#   USERS=100 MESSAGES=100 ROUNDS=5 SESSIONS=16 SECONDS_LOGIN=3 RUNS=3 scripts/bench/pop3.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
MAIL_BIN=${MAIL_BIN:-$PWD/build/bin}
USERS=${USERS:-100} MESSAGES=${MESSAGES:-100} ROUNDS=${ROUNDS:-5}
SECONDS_LOGIN=${SECONDS_LOGIN:-3} SESSIONS=${SESSIONS:-16}

T=$(mktemp -d /tmp/mail-bench-pop3.XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	retire "$T"
}
trap cleanup EXIT
mailbox_servers pop3
build_mailbox_load

# measure NAME PORT PID: prints "NAME messages/s MB/s logins/s CPU-us/message".
measure() {
	local name=$1 port=$2 pid=$3 fetch login cpu0 cpu1
	phase load
	cpu0=$(tree_cpu "$pid")
	fetch=$(run_load pop3 fetch "$port" --sessions "$SESSIONS" --rounds "$ROUNDS")
	cpu1=$(tree_cpu "$pid")
	login=$(run_load pop3 logins "$port" --sessions "$SESSIONS" --seconds "$SECONDS_LOGIN")
	phase setup
	echo "$name fetch $fetch cpu ${cpu0}s -> ${cpu1}s" >&2
	echo "$name logins $login" >&2
	echo "$name $(rates "$fetch" "$login" "$cpu0" "$cpu1")"
}

echo "load: $SESSIONS sessions (mailbox_load.c), $ROUNDS rounds of $((USERS * MESSAGES)) messages (pipelined RETR, checksummed), logins for ${SECONDS_LOGIN}s; $RUNS runs"
o_msg=() o_login=() o_mb=() o_cpu=() d_msg=() d_login=() d_mb=() d_cpu=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# One warm-up round per server before the first run (indexes, caches): the timed rounds of a
# run leave them as warm for the next run as a second warm-up round would.
phase warm
run_load pop3 fetch "$OUR_PORT" --sessions "$SESSIONS" --rounds 1 >&2
[ "$HAVE_DOVECOT" = 0 ] || run_load pop3 fetch "$DOVE_PORT" --sessions "$SESSIONS" --rounds 1 >&2
phase setup
for ((r = 0; r < RUNS; r++)); do
	read -r _ a b c d < <(measure mail-server "$OUR_PORT" "$OUR_PID")
	o_msg+=("$a") o_mb+=("$b") o_login+=("$c") o_cpu+=("$d")
	printf '%-12s %10s msg/s %8s logins/s %8s MB/s %8s CPU us/msg\n' mail-server "$a" "$c" "$b" "$d"
	if [ "$HAVE_DOVECOT" = 1 ]; then
		read -r _ a b c d < <(measure dovecot "$DOVE_PORT" "$DOVE_PID")
		d_msg+=("$a") d_mb+=("$b") d_login+=("$c") d_cpu+=("$d")
		printf '%-12s %10s msg/s %8s logins/s %8s MB/s %8s CPU us/msg\n' dovecot "$a" "$c" "$b" "$d"
	fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$HAVE_DOVECOT" = 1 ]; then
	echo "ratio mail-server/dovecot: retrieval $(ratio "$(median "${o_msg[@]}")" "$(median "${d_msg[@]}")"), logins $(ratio "$(median "${o_login[@]}")" "$(median "${d_login[@]}")"), server CPU per message dovecot/mail-server $(ratio "$(median "${d_cpu[@]}")" "$(median "${o_cpu[@]}")")"
	dove_row="| Dovecot $(dovecot --version 2>/dev/null | awk '{ print $1 }') | $(stat3 "${d_msg[@]}") | $(stat3 "${d_login[@]}") | $(stat3 "${d_mb[@]}") | $(stat3 "${d_cpu[@]}") |"
else
	echo "dovecot: not installed (dovecot-pop3d, WITH_BENCH=1 scripts/install-deps.sh); no reference figures"
	dove_row="| Dovecot | not installed | | | |"
fi
section pop3 <<MD
$SESSIONS sessions of the C load client (scripts/bench/mailbox_load.c); retrieval: $ROUNDS rounds over $USERS mailboxes x $MESSAGES
messages (pipelined RETR, checksummed; one warm-up round per server before the first run); logins: USER/PASS/STAT/QUIT
for ${SECONDS_LOGIN} s. Dovecot: dovecot-pop3d with its high-performance login mode, same Maildirs.
Server CPU: what the server's process tree used per retrieved message in the timed rounds.
Load average (1, 5, 15 min) before the runs: $load_before; after: $load_after.

| | messages/s | logins/s | MB/s | server CPU µs/message |
| --- | --- | --- | --- | --- |
| mail-server | $(stat3 "${o_msg[@]}") | $(stat3 "${o_login[@]}") | $(stat3 "${o_mb[@]}") | $(stat3 "${o_cpu[@]}") |
$dove_row

Retrieval mail-server / Dovecot: $( [ "$HAVE_DOVECOT" = 1 ] && ratio "$(median "${o_msg[@]}")" "$(median "${d_msg[@]}")" || echo -); logins: $( [ "$HAVE_DOVECOT" = 1 ] && ratio "$(median "${o_login[@]}")" "$(median "${d_login[@]}")" || echo -); server CPU per message Dovecot / mail-server: $( [ "$HAVE_DOVECOT" = 1 ] && ratio "$(median "${d_cpu[@]}")" "$(median "${o_cpu[@]}")" || echo -).
MD
