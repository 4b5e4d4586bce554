#!/usr/bin/env bash
# flake-hunt.sh [N] - runs the whole suite (`make test`) N times (default 5), each on a
# fresh clone of HEAD, then once more under `nice` with a CPU hog on every core beside
# it, and lists every test that failed at least once (with how often). A test that fails
# only sometimes is a flake: it hides real regressions, so each one found gets fixed.
#
#   scripts/flake-hunt.sh 5          five runs and the loaded one
#   HOG=0 scripts/flake-hunt.sh 3    no loaded run
#   KEEP=1                           keep the clones and their logs (else only the logs)
#
# The clones build with ccache when it is installed, as the Makefile does anywhere (the
# hunt is about the tests, and a warm cache makes each build mostly a link). Results: one
# line per run (time, the suite's last line) and the failures, also written to
# build/flake-hunt.txt of this checkout.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
hog=${HOG:-1}
[[ "$runs" =~ ^[0-9]+$ ]] || { echo "usage: flake-hunt.sh [N]" >&2; exit 64; }
work=$(mktemp -d /tmp/mail-flake-hunt.XXXXXX)
chmod 755 "$work" # some tests run the clone's scripts as another user (capture.sh as non-root)
out=$root/build/flake-hunt.txt
mkdir -p "$root/build"
head=$(git -C "$root" rev-parse --short HEAD)

hogs=()
stop_hogs() {
	[ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null
	hogs=()
}
trap 'stop_hogs' EXIT

# one_run NAME [PREFIX...]: clones HEAD into $work/NAME, runs make test there (under
# PREFIX, e.g. nice), prints "NAME  SECONDS s  LAST LINE" and keeps the log.
one_run() {
	local name=$1 dir=$work/$1 start end last
	shift
	git clone -q "$root" "$dir" || return 1
	start=$(date +%s)
	(cd "$dir" && "$@" make test >"$work/$name.log" 2>&1)
	end=$(date +%s)
	last=$(tail -n 1 "$work/$name.log")
	suite=$(sed -nE 's/^suite time: ([0-9]+) s.*/\1/p' "$work/$name.log" | tail -1)
	printf '%-8s %5d s (suite %4s s)  %s\n' "$name" $((end - start)) "${suite:-?}" "$last" | tee -a "$out"
	# failures: bats "not ok N name" and Boost.Test "error: in "suite/case""
	sed -nE 's/^not ok [0-9]+ (.*)$/bats: \1/p; s/.*error: in "([^"]+)".*/unit: \1/p' "$work/$name.log" |
		sed -E 's/ in [0-9]+ms$//' | sort -u >>"$work/failures"
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}

: >"$work/failures"
echo "flake hunt at $head: $runs fresh-clone runs$([ "$hog" = 1 ] && echo ", then one under nice with $(nproc) CPU hogs") ($(date -u '+%F %T') UTC)" | tee "$out"
for i in $(seq 1 "$runs"); do one_run "run$i"; done
if [ "$hog" = 1 ]; then
	for _ in $(seq 1 "$(nproc)"); do
		(while :; do :; done) &
		hogs+=($!)
	done
	one_run loaded nice -n 10
	stop_hogs
fi

echo | tee -a "$out"
if [ -s "$work/failures" ]; then
	echo "tests that failed at least once (times, test):" | tee -a "$out"
	sort "$work/failures" | uniq -c | sort -rn | tee -a "$out"
	echo "logs in $work" | tee -a "$out"
	exit 1
fi
echo "no test failed in any run" | tee -a "$out"
[ -n "${KEEP:-}" ] || rm -rf "$work"
