#!/usr/bin/env bash
# smtp.sh - SMTP accept + durable local delivery: mail-server vs Postfix vs smtp-sink.
#
# The same load client (smtp_load.py) drives, in one run, mail-server (Maildir, group
# commit), a private Postfix instance (own main.cf/master.cf, queue and virtual(8) Maildir
# under a temp dir, listening only on a free loopback port) and smtp-sink (Postfix's test
# server: the SMTP protocol ceiling without storage), for each message size (1 KB,
# 100 KB), session count (1, 10, 50, 200) and mode (conn: a new connection per message;
# reuse: one connection per session, as smtp-source -d). Figures: msg/s from the first
# connect until every message is in new/ (smtp-sink: until the last 250), and the p50/p99
# time per message the client saw (connect or MAIL -> 250 after the dot); RUNS runs each.
# The kernel-only baseline (maildir_baseline.c, compiled here): one writer doing only what
# durable Maildir delivery must (create, write, fsync, rename into new/, fsync new/) on the
# same file system, per size, in the same run: the floor the 1-session cells are held to.
# The event journal's cost is measured by overhead.sh (runs interleaved, CPU per message).
#   env: MAIL_BIN, SIZES="1024 102400", SESSIONS="1 10 50 200", MODES="conn reuse",
#        SMALL=400 (messages per run at 1 KB), LARGE=100 (at 100 KB), RUNS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
bin=${MAIL_BIN:-$PWD/build/bin}
SIZES=${SIZES:-1024 102400}
SESSIONS=${SESSIONS:-1 10 50 200}
MODES=${MODES:-conn reuse}
SMALL=${SMALL:-400}
LARGE=${LARGE:-100}
LOAD=$PWD/scripts/bench/smtp_load.py
for tool in postfix smtp-sink python3 nc cc; do
	command -v "$tool" >/dev/null || { echo "smtp.sh: $tool missing (WITH_BENCH=1 scripts/install-deps.sh)" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || true

T=$(mktemp -d /tmp/mail-bench-smtp.XXXXXX)
spread "$T" # ours, Postfix and the baseline each in a block group of its own
PF=$T/postfix
chmod 755 "$T" # postfix daemons (uid postfix, nobody) must reach their dirs
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -f "$PF/conf/main.cf" ]; then postfix -c "$PF/conf" stop >/dev/null 2>&1 || true; fi
	retire "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

read -r OURS PFPORT SINK POP DNS < <(free_ports 5)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the kernel-only baseline
cc -O2 -Wall -Wextra -o "$T/maildir_baseline" scripts/bench/maildir_baseline.c
BASE=$T/baseline

# --- mail-server
provider_config "$T/mail.yaml" "$DNS" "$OURS" "$POP"
echo 'MX: {}' >"$T/zone.yaml"
"$bin/mail-server" -n bench.example --conf "$T/mail.yaml" --data "$T/data" 2>"$T/ours.log" &
pids+=($!)
OURS_NEW=$T/data/bench.example/mail/rcpt@bench.example/new

# --- Postfix: private instance, virtual(8) Maildir delivery (fsync before it reports success)
mkdir -p "$PF/conf" "$PF/mail"
chown -R nobody:nogroup "$PF/mail"
echo "rcpt@bench.example bench.example/rcpt/" >"$PF/conf/vmailbox"
start_postfix "$PF" "$PFPORT" pf.bench.example <<CF || exit 1
virtual_mailbox_domains = bench.example
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/conf/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
message_size_limit = 20480000
CF
PF_NEW=$PF/mail/bench.example/rcpt/new

# --- smtp-sink: answers every command, stores nothing
smtp-sink -u nobody -m 1000 "127.0.0.1:$SINK" 1024 &
pids+=($!)
wait_tcp "$OURS"
wait_tcp "$PFPORT"
wait_tcp "$SINK"

# one PORT NEWDIR SIZE SESSIONS MODE COUNT: one run; prints "msg/s p50 p99". Port "baseline":
# the kernel-only loop writes COUNT messages of SIZE into $BASE/new.
# The load client waits for the files itself and prints the three figures (smtp_load.py
# --wait-dir, --fields): one process per run.
one() {
	local port=$1 dir=$2 size=$3 sessions=$4 mode=$5 count=$6 out start end
	[ -z "$dir" ] || set_aside_files "$dir"
	phase load
	if [ "$port" = baseline ]; then
		out=$("$T/maildir_baseline" "$BASE" "$count" "$size") || { echo "smtp.sh: baseline failed" >&2; return 1; }
		phase setup
		start=$(json_field "$out" start)
		end=$(wait_files "$dir" "$count" 300)
		python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print("%.1f %s %s" % (int(sys.argv[2]) / (float(sys.argv[4]) - float(sys.argv[3])), j["p50_ms"], j["p99_ms"]))' \
			"$out" "$count" "$start" "$end"
	else
		out=$(python3 "$LOAD" 127.0.0.1 "$port" --sessions "$sessions" --messages "$count" --size "$size" --mode "$mode" \
			${dir:+--wait-dir "$dir"} --fields rate,p50_ms,p99_ms) ||
			{ echo "smtp.sh: load against port $port failed: $out" >&2; return 1; }
		phase setup
		echo "$out"
	fi
}

# cell PORT NEWDIR SIZE SESSIONS MODE COUNT: RUNS runs; prints "median-rate stat-rate stat-p50 stat-p99".
cell() {
	local r rates=() p50s=() p99s=() a b c mr sr s50 s99
	for ((r = 0; r < RUNS; r++)); do
		read -r a b c < <(one "$@")
		rates+=("$a") p50s+=("$b") p99s+=("$c")
	done
	IFS='|' read -r mr sr _ s50 _ s99 < <(stats "${rates[*]}" "${p50s[*]}" "${p99s[*]}")
	printf '%s|%s|%s / %s\n' "$mr" "$sr" "$s50" "$s99"
}

rows=() base_rows=()
for size in $SIZES; do
	count=$SMALL
	[ "$size" -gt 10000 ] && count=$LARGE
	IFS='|' read -r bm brs blat < <(cell baseline "$BASE/new" "$size" 1 - "$count")
	base_ratios=()
	for sessions in $SESSIONS; do
		for mode in $MODES; do
			IFS='|' read -r om ors olat < <(cell "$OURS" "$OURS_NEW" "$size" "$sessions" "$mode" "$count")
			[ "$sessions" = 1 ] && base_ratios+=("$(ratio "$bm" "$om")")
			IFS='|' read -r pm prs plat < <(cell "$PFPORT" "$PF_NEW" "$size" "$sessions" "$mode" "$count")
			IFS='|' read -r _ srs slat < <(cell "$SINK" "" "$size" "$sessions" "$mode" "$count")
			row="| $((size / 1024)) KB | $sessions | $mode | $ors | $olat | $prs | $plat | $srs | $slat | $(ratio "$om" "$pm") |"
			echo "$row"
			rows+=("$row")
		done
	done
	joined=$(printf ' / %s' "${base_ratios[@]}")
	row="| $((size / 1024)) KB | $brs | $blat | ${joined:3} |"
	echo "baseline $row"
	base_rows+=("$row")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
modes_list=${MODES// / \/ }

section smtp <<MD
SMTP accept with durable local delivery, $SMALL messages per run at 1 KB and $LARGE at 100 KB
(the counts keep \`make bench\` under 15 minutes), one local recipient. msg/s: first connect
to the last message in new/ (smtp-sink: to the last 250). Time per message: conn mode from
connect, reuse mode (as \`smtp-source -d\`) from MAIL, to the 250 after the dot, p50 / p99 ms.
Postfix: private instance, virtual(8) Maildir delivery. smtp-sink: the protocol ceiling
with no storage (and where the one-process Python client itself saturates).
Target: mail-server >= 3x Postfix at every size and concurrency.

| size | sessions | mode | mail-server msg/s | p50 / p99 ms | Postfix msg/s | p50 / p99 ms | smtp-sink msg/s | p50 / p99 ms | mail-server / Postfix |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(printf '%s\n' "${rows[@]}")

Kernel-only baseline (\`scripts/bench/maildir_baseline.c\`, compiled by smtp.sh), same run and file
system: one writer, per message create + write + fsync + rename into new/ + fsync of new/,
nothing else (no network, no protocol): the floor of durable Maildir delivery. Last column:
baseline msg/s / mail-server msg/s in the 1-session rows ($modes_list), i.e. how many times the
floor one message costs at one session (a cell under 3x Postfix must be within 1.2 of it).

| size | baseline msg/s | p50 / p99 ms | baseline / mail-server, 1 session ($modes_list) |
| --- | --- | --- | --- |
$(printf '%s\n' "${base_rows[@]}")

Load average (1, 5, 15 min) before: $load_before; after: $load_after.
MD
