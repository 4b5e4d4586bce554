#!/usr/bin/env bash
# overhead.sh - what an optional feature costs a mail-server that does not use it: two
# variants of mail-server side by side on the same SMTP load, runs interleaved.
#
# Sections:
#   smtp-journal  the event journal on (the default: journal.keep 10,000, events.jsonl
#                 written by the writer thread) against `journal: {keep: 0}` (no events
#                 built, no file), same binary.
#   smtp-faults   FAULTS_BIN (default this build) with no `faults:` section against
#                 BASE_BIN, a build without the fault engine; skipped unless BASE_BIN is set,
#                 as it needs other builds. The merge of the engine against its first parent:
#                   git worktree add /tmp/base 4966e5e && make -C /tmp/base all
#                   git worktree add /tmp/with 5b8cdec && make -C /tmp/with all
#                   FAULTS_BIN=/tmp/with/build/bin BASE_BIN=/tmp/base/build/bin BENCH=overhead make bench
#
# Why not the smtp section's method (cells run one after the other, msg/s only): the cost
# to find is a few percent, while one durable commit (syncfs) on this virtual disk varies by
# tens of percent from run to run. So each run here sends the same load to variant A and
# variant B back to back, in ABBA order (drift cancels), on two data directories: the disk
# (/tmp, what a user has) and tmpfs (/dev/shm: the commit costs almost nothing, so the
# feature's share of the work is the largest it can be - the worst case for the ratio).
# Two figures per run: msg/s (first connect to the last file in new/) and the server's CPU
# time per message (the process's CPU clock, all threads, the ended ones included, read in
# nanoseconds across the run), which does not depend on how long the disk made the clients
# wait, and is the figure that answers "a few percent": msg/s on this disk moves by tens of
# percent from run to run. /proc/PID/stat's utime + stime came in 10 ms ticks, which needed
# runs of 1,000 (disk) and 4,000 (tmpfs) messages; the nanosecond clock keeps each run at a
# few hundred ms of server CPU with half of that: tmpfs runs send TMPFS_COUNT messages (fast),
# disk runs DISK_COUNT (slower, more CPU each).
#   env: MAIL_BIN, BASE_BIN, OVERHEAD_RUNS (default RUNS, else 5), DISK_COUNT=500, TMPFS_COUNT=2000 (1 KB messages per run),
#        CELLS="1:conn 1:reuse 10:reuse 50:conn" (sessions:mode), FS="/tmp /dev/shm",
#        OVERHEAD="journal faults" (which sections)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${OVERHEAD_RUNS:-${RUNS:-5}} # alone 5 runs (a few percent needs them); make bench its RUNS (3), for its time
. scripts/bench/lib.sh
bin=${MAIL_BIN:-$PWD/build/bin}
DISK_COUNT=${DISK_COUNT:-500}
TMPFS_COUNT=${TMPFS_COUNT:-2000}
CELLS=${CELLS:-1:conn 1:reuse 10:reuse 50:conn}
FS=${FS:-/tmp /dev/shm}
OVERHEAD=${OVERHEAD:-journal faults}
LOAD=$PWD/scripts/bench/smtp_load.py
for tool in python3 nc; do
	command -v "$tool" >/dev/null || { echo "overhead.sh: $tool missing" >&2; exit 1; }
done

T=$(mktemp -d /tmp/mail-bench-overhead.XXXXXX)
pids=()
dirs=("$T")
stop_servers() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
cleanup() {
	stop_servers
	for d in "${dirs[@]}"; do [ ! -e "$d" ] || retire "$d"; done
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap stop_servers EXIT

read -r DNS < <(free_ports 1)
echo 'MX: {}' >"$T/zone.yaml"

# start NAME BIN EXTRA DATA: starts one variant; sets PORT_<NAME>, PID_<NAME>, NEW_<NAME>.
start() {
	local name=$1 server=$2 extra=$3 data=$4 smtp pop
	read -r smtp pop < <(free_ports 2)
	provider_config "$T/$name.yaml" "$DNS" "$smtp" "$pop" "$extra"
	"$server/mail-server" -n bench.example --conf "$T/$name.yaml" --data "$data" 2>>"$T/$name.log" &
	pids+=($!)
	printf -v "PID_$name" %s "$!"
	printf -v "PORT_$name" %s "$smtp"
	printf -v "NEW_$name" %s "$data/bench.example/mail/rcpt@bench.example/new"
	wait_tcp "$smtp"
}

# cpu_ns PID: the CPU time PID has used so far, all its threads (ended ones too), in ns: its
# process CPU clock (clock_getcpuclockid's id for PID, (~PID << 3) | CPUCLOCK_SCHED).
cpu_ns() { python3 -c 'import sys, time; print(time.clock_gettime_ns((~int(sys.argv[1]) << 3) | 2))' "$1"; }

# one NAME SESSIONS MODE: one run against variant NAME; prints "msg/s cpu-µs-per-message".
one() {
	local name=$1 sessions=$2 mode=$3 port pid dir rate before after
	port=PORT_$name pid=PID_$name dir=NEW_$name
	set_aside_files "${!dir}"
	phase load
	before=$(cpu_ns "${!pid}")
	# the client waits for the last file itself (smtp_load.py --wait-dir): one process per run
	rate=$(python3 "$LOAD" 127.0.0.1 "${!port}" --sessions "$sessions" --messages "$COUNT" --size 1024 --mode "$mode" \
		--wait-dir "${!dir}" --fields rate) || { echo "overhead.sh: load against $name failed" >&2; return 1; }
	after=$(cpu_ns "${!pid}")
	phase setup
	awk -v r="$rate" -v n="$COUNT" -v b="$before" -v a="$after" 'BEGIN { printf "%.1f %.1f\n", r, (a - b) / 1e3 / n }'
}

# compare SECTION TITLE-A TITLE-B BIN-A EXTRA-A BIN-B EXTRA-B: the whole table for one pair.
compare() {
	local section=$1 title_a=$2 title_b=$3 bin_a=$4 extra_a=$5 bin_b=$6 extra_b=$7 fs cell sessions mode r
	local rows=() where data text
	text=$(cat)
	for fs in $FS; do
		COUNT=$DISK_COUNT
		[ "$fs" = /dev/shm ] && COUNT=$TMPFS_COUNT
		data=$(mktemp -d "$fs/mail-bench-overhead.XXXXXX")
		spread "$data" # A and B each in a block group of its own
		dirs+=("$data")
		start A "$bin_a" "$extra_a" "$data/a"
		start B "$bin_b" "$extra_b" "$data/b"
		where="disk ($fs, $(df -T "$fs" | awk 'NR == 2 { print $2 }'))"
		[ "$fs" = /dev/shm ] && where="tmpfs ($fs)"
		for cell in $CELLS; do
			sessions=${cell%%:*} mode=${cell#*:}
			local ar=() ac=() br=() bc=() a b
			for ((r = 0; r < RUNS; r++)); do
				if ((r % 2 == 0)); then
					read -r a b < <(one A "$sessions" "$mode"); ar+=("$a") ac+=("$b")
					read -r a b < <(one B "$sessions" "$mode"); br+=("$a") bc+=("$b")
				else
					read -r a b < <(one B "$sessions" "$mode"); br+=("$a") bc+=("$b")
					read -r a b < <(one A "$sessions" "$mode"); ar+=("$a") ac+=("$b")
				fi
			done
			local row mar sar mbr sbr mac sac mbc sbc
			IFS='|' read -r mar sar mbr sbr mac sac mbc sbc < <(stats "${ar[*]}" "${br[*]}" "${ac[*]}" "${bc[*]}")
			row="| $where | $sessions | $mode | $sar | $sbr | $(slower "$mar" "$mbr") | $sac | $sbc | $(dearer "$mac" "$mbc") |"
			echo "$row"
			rows+=("$row")
		done
		stop_servers
		set_aside "$data"
	done
	section "$section" <<MD
$text

| data on | sessions | mode | $title_a msg/s | $title_b msg/s | cost (msg/s) | $title_a CPU µs/msg | $title_b CPU µs/msg | cost (CPU) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(printf '%s\n' "${rows[@]}")
MD
}

# slower A B: how much lower rate A is than rate B, in percent of B (negative: A is higher).
slower() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0) printf "%+.1f %%\n", 100 * (b - a) / b; else print "-" }'; }
# dearer A B: how much more CPU per message A uses than B, in percent of B.
dearer() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0) printf "%+.1f %%\n", 100 * (a - b) / b; else print "-" }'; }

if [[ " $OVERHEAD " == *" journal "* ]]; then
	compare smtp-journal "journal on" "journal off" "$bin" "" "$bin" $'journal:\n  keep: 0' <<MD
The event journal's cost on SMTP accept + durable local delivery (issue 13, target under 5 %):
the same mail-server with the journal on (the default: \`journal.keep\` 10,000, every event
appended to events.jsonl by the writer thread) and off (\`journal: {keep: 0}\`: no events
built, no file). $DISK_COUNT messages of 1 KB per run on disk, $TMPFS_COUNT on tmpfs, runs interleaved on/off in ABBA order.
msg/s: first connect to the last file in new/; CPU: the server's CPU time per message (its process
CPU clock, all threads, in ns; the steadier figure for a few percent). Cost: how much lower "on" is in msg/s, and how much more CPU it uses per message,
than "off" (negative: "on" came out ahead, i.e. within noise). tmpfs takes the disk's flush
time out, so there the journal's share of the work is the largest it can be.
(\`scripts/bench/overhead.sh\`, \`OVERHEAD=journal\`.)
MD
fi

if [[ " $OVERHEAD " == *" faults "* ]] && [ -n "${BASE_BIN:-}" ]; then
	faults_bin=${FAULTS_BIN:-$bin}
	compare smtp-faults "with faults" "before faults" "$faults_bin" "" "$BASE_BIN" "" <<MD
What the fault engine costs when no \`faults:\` are configured (issue 14: the SMTP figure
must be unchanged within noise). "with faults": the build of $(git -C "$faults_bin" log -1 --format=%h 2>/dev/null || echo "$faults_bin"),
"before faults": the build of $(git -C "$BASE_BIN" log -1 --format=%h 2>/dev/null || echo "$BASE_BIN").
Both with their defaults (journal on) and no \`faults:\` section; $DISK_COUNT (disk) or
$TMPFS_COUNT (tmpfs) messages of 1 KB per run, runs interleaved in ABBA order; msg/s, the
server's CPU time per message and the costs as in smtp-journal.
(\`FAULTS_BIN=... BASE_BIN=... OVERHEAD=faults scripts/bench/overhead.sh\`.)
MD
fi
