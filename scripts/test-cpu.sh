#!/usr/bin/env bash
# test-cpu.sh BUILD_DIR [--unit-only|--integration-only]
#
# Measures the CPU (user + sys, every descendant process counted) of each unit suite and
# each test/integration/*.bats file, one process tree per item, TEST_JOBS at a time
# (default: the number of cores), and lists the 25 costliest (`make test-cpu`). The
# figures go into BUILD_DIR/test-cpu.tsv (cpu, user, sys, wall, kind, name, exit status);
# a TESTS= or UNIT= run replaces only the lines of what it ran.
#   TESTS=regex   only the bats files whose name matches
#   UNIT=regex    only the unit suites whose name matches
# `make test` says how long; this says what costs: the suite is CPU-bound on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: test-cpu.sh BUILD_DIR [--unit-only|--integration-only]}
mode=${2:-all}
export MAIL_BIN
MAIL_BIN=$(cd "$build/bin" && pwd)
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
jobs=${TEST_JOBS:-$(nproc)}
out=$(mktemp -d /tmp/mail-cpu.XXXXXX)
trap 'rm -rf "$out"' EXIT

# the work list: "KIND NAME" lines
{
	if [ "$mode" != --integration-only ]; then
		"$MAIL_BIN/unit-tests" --list_content 2>&1 | sed -nE 's/^([A-Za-z_][A-Za-z0-9_]*)\*$/unit \1/p' |
			{ if [ -n "${UNIT:-}" ]; then awk -v re="$UNIT" '$2 ~ re'; else cat; fi; }
	fi
	if [ "$mode" != --unit-only ]; then
		for f in test/integration/*.bats; do
			name=$(basename "$f")
			if [ -n "${TESTS:-}" ] && ! [[ $name =~ $TESTS ]]; then continue; fi
			echo "bats $name"
		done
	fi
} >"$out/work"
echo "measuring $(wc -l <"$out/work") items, $jobs at a time (output of each in $out while it runs)"

# measure KIND NAME: one item under test_cpu.py's subreaper; its figures line to stdout.
measure() {
	local kind=$1 name=$2
	if [ "$kind" = unit ]; then
		python3 scripts/test_cpu.py run unit "$name" -- "$MAIL_BIN/unit-tests" --run_test="$name" --color_output=no 2>"$out/$kind.$name.log"
	else
		python3 scripts/test_cpu.py run bats "$name" -- bats --tap "test/integration/$name" 2>"$out/$kind.$name.log"
	fi
}
export -f measure
export out
xargs -P "$jobs" -L 1 bash -c 'measure "$0" "$1" | tee -a "$out/cpu.tsv"' <"$out/work" |
	awk -F'\t' '{ printf "%7.1f s CPU %6.1f s wall  %s %s%s\n", $1, $4, $5, $6, ($7 == "0" ? "" : "  FAILED (exit " $7 ")"); fflush() }'

# what failed (the figures of a failed item may be short of a passing run's)
for log in "$out"/*.log; do
	if grep -qE '^not ok|left pid|\*\*\* [0-9]+ failure' "$log"; then
		echo "--- $(basename "$log" .log)"
		grep -A 12 -E '^not ok|left pid|\*\*\* [0-9]+ failure' "$log" | grep -vE '^ok ' | head -60
	fi
done
python3 scripts/test_cpu.py merge "$build/test-cpu.tsv" "$out/cpu.tsv" >"$out/merged.tsv" && mv "$out/merged.tsv" "$build/test-cpu.tsv"
echo
python3 scripts/test_cpu.py top 25 "$build/test-cpu.tsv"
