#!/usr/bin/env bash
# imap.sh - IMAP FETCH rate of mail-server against Dovecot's imap, same run.
#
# mailbox_servers (lib.sh, shared with pop3.sh) fills USERS mailboxes with MESSAGES messages
# each and serves one copy with mail-server's imap: port and another with Dovecot's imap; then
# it measures with the same load client against each (mailbox_load.c, in C, compiled here):
# messages fetched per second, each session LOGIN, SELECT INBOX, one
# `FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])` checksummed, LOGOUT. The first round is a warm-up
# (UID lists and Dovecot's indexes are made there). Traffic goes to 127.0.0.1 only; every
# phase is bounded in time.
#   USERS=100 MESSAGES=100 ROUNDS=3 SESSIONS=16 RUNS=3 scripts/bench/imap.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
MAIL_BIN=${MAIL_BIN:-$PWD/build/bin}
USERS=${USERS:-100} MESSAGES=${MESSAGES:-100} ROUNDS=${ROUNDS:-3} SESSIONS=${SESSIONS:-16}

T=$(mktemp -d /tmp/mail-bench-imap.XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	retire "$T"
}
trap cleanup EXIT

mailbox_servers imap
build_mailbox_load

# measure NAME PORT PID: prints "NAME messages/s MB/s CPU-us/message"; the CPU is what PID
# and its descendants used during the timed rounds.
measure() {
	local name=$1 port=$2 pid=$3 fetch cpu0 cpu1
	phase load
	cpu0=$(tree_cpu "$pid")
	fetch=$(run_load imap fetch "$port" --sessions "$SESSIONS" --rounds "$ROUNDS")
	cpu1=$(tree_cpu "$pid")
	phase setup
	echo "$name fetch $fetch cpu ${cpu0}s -> ${cpu1}s" >&2
	rates "$fetch" - "$cpu0" "$cpu1" | awk -v name="$name" '{ print name, $1, $2, $4 }'
}

echo "load: $SESSIONS sessions (mailbox_load.c), $ROUNDS rounds of $((USERS * MESSAGES)) messages (one FETCH 1:* BODY.PEEK[] per mailbox, checksummed); $RUNS runs"
o_msg=() o_mb=() o_cpu=() d_msg=() d_mb=() d_cpu=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# One warm-up round per server before the first run (UID lists, Dovecot's indexes): the timed
# rounds of a run leave them as warm for the next run as a second warm-up round would.
phase warm
run_load imap fetch "$OUR_PORT" --sessions "$SESSIONS" --rounds 1 >&2
[ "$HAVE_DOVECOT" = 0 ] || run_load imap fetch "$DOVE_PORT" --sessions "$SESSIONS" --rounds 1 >&2
phase setup
for ((r = 0; r < RUNS; r++)); do
	read -r _ a b c < <(measure mail-server "$OUR_PORT" "$OUR_PID")
	o_msg+=("$a") o_mb+=("$b") o_cpu+=("$c")
	printf '%-12s %10s msg/s %8s MB/s %8s CPU us/msg\n' mail-server "$a" "$b" "$c"
	if [ "$HAVE_DOVECOT" = 1 ]; then
		read -r _ a b c < <(measure dovecot "$DOVE_PORT" "$DOVE_PID")
		d_msg+=("$a") d_mb+=("$b") d_cpu+=("$c")
		printf '%-12s %10s msg/s %8s MB/s %8s CPU us/msg\n' dovecot "$a" "$b" "$c"
	fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$HAVE_DOVECOT" = 1 ]; then
	echo "ratio mail-server/dovecot: fetch $(ratio "$(median "${o_msg[@]}")" "$(median "${d_msg[@]}")") (target >= 2), server CPU per message dovecot/mail-server $(ratio "$(median "${d_cpu[@]}")" "$(median "${o_cpu[@]}")")"
	dove_row="| Dovecot $(dovecot --version 2>/dev/null | awk '{ print $1 }') imap | $(stat3 "${d_msg[@]}") | $(stat3 "${d_mb[@]}") | $(stat3 "${d_cpu[@]}") |"
else
	echo "dovecot: not installed (dovecot-imapd, WITH_BENCH=1 scripts/install-deps.sh); no reference figures"
	dove_row="| Dovecot | not installed | | |"
fi
section imap <<MD
$SESSIONS sessions of the C load client (scripts/bench/mailbox_load.c); $ROUNDS rounds over $USERS mailboxes x $MESSAGES messages,
each mailbox with LOGIN, SELECT INBOX, one FETCH 1:* (UID RFC822.SIZE BODY.PEEK[]) checksummed, LOGOUT;
one warm-up round per server before the first run. Dovecot: dovecot-imapd with its high-performance login mode, same Maildirs.

| | messages/s | MB/s | server CPU µs/message |
| --- | --- | --- | --- |
| mail-server | $(stat3 "${o_msg[@]}") | $(stat3 "${o_mb[@]}") | $(stat3 "${o_cpu[@]}") |
$dove_row

FETCH rate mail-server / Dovecot: $( [ "$HAVE_DOVECOT" = 1 ] && ratio "$(median "${o_msg[@]}")" "$(median "${d_msg[@]}")" || echo -) (target >= 2); server CPU per
message Dovecot / mail-server: $( [ "$HAVE_DOVECOT" = 1 ] && ratio "$(median "${d_cpu[@]}")" "$(median "${o_cpu[@]}")" || echo -). Load average (1, 5, 15 min) before the runs: $load_before; after: $load_after.
MD
