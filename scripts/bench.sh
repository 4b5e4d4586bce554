#!/usr/bin/env bash
# bench.sh BUILD_DIR - runs scripts/bench/{relay,smtp,pop3,imap,dns,idle}.sh, each measuring one of
# our programs side by side with its reference software (Postfix, smtp-sink, Dovecot, NSD)
# in the same run, RUNS (3) runs each, median and spread; overhead.sh (what the journal,
# and with BASE_BIN the fault engine, cost: two mail-servers, runs interleaved); and sim.sh
# (a class of 50 providers, one run, figures only). BENCH=regex limits which ones run.
# Each part writes its section to bench/results/sections/PART.md; bench/results/latest.md is
# then rebuilt from the machine's description, every section (the newest of each part) and
# bench/results/notes.md (what limits a missed target, written by hand from profiles).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
export MAIL_BIN BENCH_SECTIONS=$PWD/bench/results/sections RUNS=${RUNS:-3}
MAIL_BIN=$(cd "$build/bin" && pwd)
status=0
started=$SECONDS
times_file=$(mktemp /tmp/mail-bench-times.XXXXXX)
# BENCH_CACHE: what parts fill once and share (lib.sh filled_mailboxes: pop3 and imap), and
# the files they spent, set aside until the end (lib.sh set_aside: deleting them between runs
# made the next runs pay on this machine's ext4).
BENCH_CACHE=$(mktemp -d /tmp/mail-bench-cache.XXXXXX)
export BENCH_CACHE
trap 'rm -rf "$times_file" "$BENCH_CACHE"' EXIT
# python3 for the parts is the interpreter itself, not a version manager's shim (pyenv's
# runs a bash script and several processes before Python starts, 0.1-2 s a call): the
# parts start Python hundreds of times (load clients, waits, medians), and that time went
# into every part's setup and, for each load client, into its load phase. The same Python
# is used, as a link in BENCH_CACHE/bin put first on PATH.
mkdir "$BENCH_CACHE/bin"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$BENCH_CACHE/bin/python3"
PATH=$BENCH_CACHE/bin:$PATH
# children_cpu: sets CPU_NOW to the CPU seconds (user + system) of this shell's waited-for
# children so far (the parts, their servers and load clients; not Postfix's daemons, which
# its master forks). Not in $(...): a subshell's times are its own.
children_cpu() {
	times >"$times_file"
	CPU_NOW=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } print t }' "$times_file")
}
# phase_split FILE: "setup N s, load N s" from a part's phase marks (scripts/bench/lib.sh phase).
phase_split() { awk 'NR > 1 { sum[kind] += $2 - t } { kind = $1; t = $2 } END { for (k in sum) printf "%s%s %.0f s", (n++ ? ", " : ""), k, sum[k] }' "$1"; }
# Inodes freed just before the bench (a build's temporary files, an earlier run's data) would
# be stepped over by every file the first parts create while their inode table blocks are
# dirty (up to 300 s; lib.sh set_aside): written back, they are stepped over for 5 s only.
sync
sleep 6
for part in relay smtp overhead pop3 imap dns idle sim; do
	script=scripts/bench/$part.sh
	if [ -n "${BENCH:-}" ] && ! [[ $part =~ $BENCH ]]; then continue; fi
	echo "== $part"
	t0=$SECONDS
	children_cpu
	cpu0=$CPU_NOW
	load0=$(cut -d' ' -f1 /proc/loadavg)
	BENCH_PHASES=$(mktemp /tmp/mail-bench-phases.XXXXXX)
	export BENCH_PHASES
	echo "setup $(date +%s.%N)" >"$BENCH_PHASES"
	bash "$script" || { echo "bench $part failed"; status=1; }
	echo "end $(date +%s.%N)" >>"$BENCH_PHASES"
	children_cpu
	echo "== $part took $((SECONDS - t0)) s ($(phase_split "$BENCH_PHASES"); CPU $(awk -v a="$cpu0" -v b="$CPU_NOW" 'BEGIN { printf "%.0f", b - a }') s; load average $load0 -> $(cut -d' ' -f1 /proc/loadavg))"
	rm -f "$BENCH_PHASES"
done
echo "== bench took $((SECONDS - started)) s"

version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
{
	echo "# Benchmark results"
	echo
	echo "Written by \`make bench\` (scripts/bench.sh); each section is the newest run of its part"
	echo "(\`BENCH=relay make bench\` reruns one). Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
	echo
	echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
	echo "- Kernel: $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- Memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); file system of /tmp: $(df -T /tmp | awk 'NR == 2 { print $2 }')"
	echo "- Packages: postfix $(version postfix), dovecot-pop3d $(version dovecot-pop3d), dovecot-imapd $(version dovecot-imapd), nsd $(version nsd),"
	echo "  dnsperf $(version dnsperf), libpoco-dev $(version libpoco-dev), g++ $(version g++), python3 $(version python3)"
	echo "- Shared machine: other work may have run at the same time; the spread shows how much it moved."
	echo
	for part in relay smtp smtp-journal smtp-faults pop3 imap dns idle sim; do
		[ -f "$BENCH_SECTIONS/$part.md" ] && cat "$BENCH_SECTIONS/$part.md"
	done
	[ -f bench/results/notes.md ] && cat bench/results/notes.md
} >bench/results/latest.md
echo "results: bench/results/latest.md"
exit $status
