#!/usr/bin/env bash
# run-tests.sh BUILD_DIR [--unit-only|--integration-only]
#
# Runs the Boost.Test unit binary and every test/integration/*.bats file, counts the
# results together and ends with the line "N passed, N failed", alone (skipped tests,
# when there are any, are counted on the line before it). Exits non-zero when anything
# failed.
#   TESTS=regex   only integration files whose name matches (e.g. TESTS=dns)
#   UNIT=filter   Boost.Test --run_test filter for the unit binary (one process)
#   TEST_JOBS=N   bats files run N at a time (default: 2 per core and one more); the tests
#                 of one file always run in order. The unit suites are split over
#                 UNIT_JOBS processes (default: the number of cores) that run beside
#                 the integration tests (they mostly wait); their results come after.
#
# Each test's time goes into BUILD_DIR/test-times.tsv (seconds, kind, file, name), which
# `make test-times` lists; the next run starts the slowest files first.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run-tests.sh BUILD_DIR [--unit-only|--integration-only]}
mode=${2:-all}
export MAIL_BIN
MAIL_BIN=$(cd "$build/bin" && pwd)
times_file=$build/test-times.tsv
cores=$(nproc)
# Two per core and one more: the files spend about a fifth of their time waiting (servers
# starting, retries, timeouts), and at two per core the 2 cores sat idle that long.
jobs=${TEST_JOBS:-$((cores * 2 + 1))}
unit_jobs=${UNIT_JOBS:-$cores}
# Debian's python3 for the timing scripts (standard library only), as the tests use it: a
# version manager's shim first on PATH costs ~0.4 s per start (test/lib/common.bash).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

passed=0 failed=0 skipped=0
report=$(mktemp -d /tmp/mail-tests.XXXXXX)
trap 'rm -rf "$report"' EXIT
: >"$report/times.tsv"

# Sanitizer builds (make sanitize / make tsan): every report of every process the tests
# start lands in $report/san; any report fails the run, even from a daemon whose own
# test passed.
mkdir -p "$report/san"
export ASAN_OPTIONS="log_path=$report/san/asan:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$report/san/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TSAN_OPTIONS="log_path=$report/san/tsan:second_deadlock_stack=1:suppressions=$PWD/test/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/test/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# unit_groups N: the top-level unit suites dealt into N groups, one line each, as a
# Boost.Test --run_test list (suite:suite:...), slowest suites (by the last run) first.
unit_groups() {
	local n=$1
	"$MAIL_BIN/unit-tests" --list_content 2>&1 | sed -nE 's/^([A-Za-z_][A-Za-z0-9_]*)\*$/\1/p' |
		awk -v times="$times_file" -v n="$n" '
			BEGIN { while ((getline line < times) > 0) { split(line, f, "\t"); if (f[2] == "unit") t[f[3]] += f[1] } }
			{ suite[NR] = $1; cost[NR] = ($1 in t) ? t[$1] : 0 }
			END {
				# longest first, each into the group with the least time so far
				for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++)
					if (cost[j] > cost[i]) { s = suite[i]; suite[i] = suite[j]; suite[j] = s; c = cost[i]; cost[i] = cost[j]; cost[j] = c }
				for (i = 1; i <= NR; i++) {
					best = 1; for (g = 2; g <= n; g++) if (load[g] < load[best]) best = g
					load[best] += cost[i] + 0.001; grp[best] = grp[best] (grp[best] == "" ? "" : ":") suite[i]
				}
				for (g = 1; g <= n; g++) if (grp[g] != "") print grp[g]
			}'
}

# The unit suites mostly wait (timeouts, retry intervals: ~30 s of wall for ~2 s of CPU),
# so they run beside the integration tests instead of before them, and their results are
# collected after.
pids=()
if [ "$mode" != --integration-only ]; then
	groups=()
	if [ -n "${UNIT:-}" ]; then groups=("$UNIT"); else mapfile -t groups < <(unit_groups "$unit_jobs"); fi
	echo "== unit tests (${#groups[@]} processes, beside the integration tests; results after them)"
	for i in "${!groups[@]}"; do
		"$MAIL_BIN/unit-tests" --run_test="${groups[i]}" --report_format=XML --report_level=detailed \
			--report_sink="$report/unit$i.xml" --logger="HRF,error,stdout:XML,test_suite,$report/unitlog$i.xml" \
			--color_output=no >"$report/unit$i.log" 2>&1 &
		pids+=($!)
	done
fi

if [ "$mode" != --unit-only ]; then
	echo "== integration tests"
	files=()
	# longest files first, so that no long one starts last and runs alone at the end. A
	# file's cost: its whole wall time in the last run here (with setup_file, from parallel's
	# job log), else in test/integration/file-times.tsv (a quiet full run's, committed, for a
	# fresh clone), else the sum of its tests' times; a file never timed counts as longest.
	while IFS= read -r f; do
		[ -e "$f" ] || continue
		if [ -n "${TESTS:-}" ] && ! [[ $(basename "$f") =~ $TESTS ]]; then continue; fi
		files+=("$f")
	done < <(awk -F'\t' '
		FNR == 1 { src++ }
		$2 == "file" && src == 1 { here[$3] = $1 }
		$2 == "file" && src == 2 { kept[$3] = $1 }
		$2 == "bats" && src == 1 { sum[$3] += $1 }
		src == 3 { n = split($0, p, "/"); f = p[n]; printf "%.3f\t%s\n", (f in here) ? here[f] : (f in kept) ? kept[f] : (f in sum) ? sum[f] : 1e9, $0 }
	' <(cat "$times_file" 2>/dev/null; echo) <(cat test/integration/file-times.tsv 2>/dev/null; echo) <(printf '%s\n' test/integration/*.bats) |
		sort -t$'\t' -k1,1gr -k2,2 | cut -f2)
	if [ ${#files[@]} -gt 0 ]; then
		export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
		# One bats per file, run_jobs at a time: a single `bats --jobs` first counts the tests
		# of every file (bats-preprocess, a bash loop over each line) on one core before any
		# test starts, 5-15 s of wall; here each file's count runs in its own job. Each file's
		# TAP and JUnit report go to its own directory; its TAP is printed when it ends.
		mkdir -p "$report/files"
		run_file() {
			local dir=$1/$2
			mkdir -p "$dir"
			bats --tap --timing --report-formatter junit --output "$dir" "$3" >"$dir/tap" 2>&1
			local rc=$?
			cat "$dir/tap"
			return $rc
		}
		export -f run_file
		run_jobs=$jobs
		[ ${#files[@]} -lt "$run_jobs" ] && run_jobs=${#files[@]}
		echo "(${#files[@]} files, $run_jobs at a time)"
		if [ "$run_jobs" -gt 1 ] && command -v parallel >/dev/null; then
			# --joblog: each file's whole wall time, setup_file included, for the next run's order
			printf '%s\n' "${files[@]}" | SHELL=$BASH parallel --jobs "$run_jobs" --joblog "$report/joblog" \
				run_file "$report/files" '{#}' '{}'
		else
			# one file at a time: its TAP is printed as it runs
			i=0
			for f in "${files[@]}"; do
				i=$((i + 1)); mkdir -p "$report/files/$i"
				bats --tap --timing --report-formatter junit --output "$report/files/$i" "$f" 2>&1 | tee "$report/files/$i/tap"
			done
		fi
		cat "$report"/files/*/tap >"$report/bats.tap"
		p=$(grep -cE '^ok [0-9]+' "$report/bats.tap" | tr -d ' ')
		s=$(grep -cE '^ok [0-9]+ .*# skip' "$report/bats.tap" | tr -d ' ')
		f=$(grep -cE '^not ok [0-9]+' "$report/bats.tap" | tr -d ' ')
		planned=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$report/bats.tap" | awk '{ n += $1 } END { print n + 0 }')
		ran=$((p + f))
		if [ "$ran" -lt "$planned" ]; then
			echo "bats planned $planned tests but reported $ran"; f=$((f + planned - ran))
		fi
		# a file whose bats printed no plan at all (it could not even be read) counts as failed
		for d in "$report"/files/*/; do
			if ! grep -qE '^1\.\.[0-9]+$' "$d/tap"; then echo "bats printed no plan for a file:"; head -20 "$d/tap"; f=$((f + 1)); fi
		done
		p=$((p - s))
		echo "integration: $p passed, $f failed, $s skipped"
		passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
		# bats' JUnit formatter may still be writing its report when bats returns
		for d in "$report"/files/*/; do
			for _ in $(seq 1 300); do grep -qs '</testsuites>' "$d/report.xml" && break; sleep 0.1; done
		done
		"$py" scripts/test_times.py junit "$report"/files/*/report.xml >>"$report/times.tsv"
		"$py" scripts/test_times.py joblog "$report/joblog" >>"$report/times.tsv"
	fi
fi

if [ "$mode" != --integration-only ]; then
	echo "== unit tests: results"
	p=0 f=0 s=0
	for i in "${!pids[@]}"; do
		wait "${pids[i]}"
		rc=$?
		head -100 "$report/unit$i.log"
		gp=$(grep -o '<TestCase [^>]*result="passed"' "$report/unit$i.xml" 2>/dev/null | wc -l)
		gf=$(grep -oE '<TestCase [^>]*result="(failed|aborted)"' "$report/unit$i.xml" 2>/dev/null | wc -l)
		gs=$(grep -o '<TestCase [^>]*result="skipped"' "$report/unit$i.xml" 2>/dev/null | wc -l)
		if [ "$rc" != 0 ] && [ "$gf" = 0 ]; then
			echo "unit-tests (${groups[i]}) exited $rc without a failed test case (crash?):"; tail -20 "$report/unit$i.log"
			gf=1
		fi
		p=$((p + gp)); f=$((f + gf)); s=$((s + gs))
	done
	"$py" scripts/test_times.py boost "$report"/unitlog*.xml >>"$report/times.tsv"
	echo "unit: $p passed, $f failed, $s skipped (${#groups[@]} processes)"
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
fi

# Keep the last times of the parts that ran (a TESTS= run updates only its own files).
if [ -s "$report/times.tsv" ]; then
	"$py" scripts/test_times.py merge "$times_file" "$report/times.tsv" >"$report/merged.tsv" &&
		mv "$report/merged.tsv" "$times_file"
fi

reports=$(find "$report/san" -type f 2>/dev/null | sort)
if [ -n "$reports" ]; then
	echo "== sanitizer reports"
	for r in $reports; do echo "--- $r"; head -60 "$r"; done
	n=$(echo "$reports" | wc -l)
	echo "sanitizers: $n report(s), counted as failures"
	failed=$((failed + n))
fi

echo "suite time: $SECONDS s (build excluded)"
[ "$skipped" -eq 0 ] || echo "$skipped skipped (not counted as passed: the reason is on each test's line)"
# the last line, alone; also kept in BUILD_DIR/test-summary.txt for .ci/run
echo "$passed passed, $failed failed" | tee "$build/test-summary.txt"
[ "$failed" -eq 0 ]
