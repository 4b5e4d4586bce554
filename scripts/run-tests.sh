#!/usr/bin/env bash
# run-tests.sh BUILD_DIR [--unit-only|--integration-only]
#
# Runs the Boost.Test unit binary and every test/integration/*.bats file, counts the
# results together and ends with the line "N passed, N failed", alone (skipped tests,
# when there are any, are counted on the line before it). Exits non-zero when anything
# failed.
#   TESTS=regex   only integration files whose name matches (e.g. TESTS=dns)
#   UNIT=filter   Boost.Test --run_test filter for the unit binary
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run-tests.sh BUILD_DIR [--unit-only|--integration-only]}
mode=${2:-all}
export MAIL_BIN
MAIL_BIN=$(cd "$build/bin" && pwd)

passed=0 failed=0 skipped=0
report=$(mktemp -d /tmp/mail-tests.XXXXXX)
trap 'rm -rf "$report"' EXIT

# Sanitizer builds (make sanitize / make tsan): every report of every process the tests
# start lands in $report/san; any report fails the run, even from a daemon whose own
# test passed.
mkdir -p "$report/san"
export ASAN_OPTIONS="log_path=$report/san/asan:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$report/san/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TSAN_OPTIONS="log_path=$report/san/tsan:second_deadlock_stack=1:suppressions=$PWD/test/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/test/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

if [ "$mode" != --integration-only ]; then
	echo "== unit tests"
	args=(--report_format=XML --report_level=detailed --report_sink="$report/unit.xml" --log_level=error --color_output=no)
	[ -n "${UNIT:-}" ] && args+=(--run_test="$UNIT")
	"$MAIL_BIN/unit-tests" "${args[@]}" >"$report/unit.log" 2>&1
	rc=$?
	head -100 "$report/unit.log"
	p=$(grep -o '<TestCase [^>]*result="passed"' "$report/unit.xml" 2>/dev/null | wc -l)
	f=$(grep -oE '<TestCase [^>]*result="(failed|aborted)"' "$report/unit.xml" 2>/dev/null | wc -l)
	s=$(grep -o '<TestCase [^>]*result="skipped"' "$report/unit.xml" 2>/dev/null | wc -l)
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "unit-tests exited $rc without a failed test case (crash?):"; tail -20 "$report/unit.log"
		f=1
	fi
	echo "unit: $p passed, $f failed, $s skipped"
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
fi

if [ "$mode" != --unit-only ]; then
	echo "== integration tests"
	files=()
	for f in test/integration/*.bats; do
		[ -e "$f" ] || continue
		if [ -n "${TESTS:-}" ] && ! [[ $(basename "$f") =~ $TESTS ]]; then continue; fi
		files+=("$f")
	done
	if [ ${#files[@]} -gt 0 ]; then
		export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-180}
		bats --tap "${files[@]}" 2>&1 | tee "$report/bats.tap"
		p=$(grep -cE '^ok [0-9]+' "$report/bats.tap" | tr -d ' ')
		s=$(grep -cE '^ok [0-9]+ .*# skip' "$report/bats.tap" | tr -d ' ')
		f=$(grep -cE '^not ok [0-9]+' "$report/bats.tap" | tr -d ' ')
		planned=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$report/bats.tap" | head -1)
		ran=$((p + f))
		if [ -n "$planned" ] && [ "$ran" -lt "$planned" ]; then
			echo "bats planned $planned tests but reported $ran"; f=$((f + planned - ran))
		fi
		p=$((p - s))
		echo "integration: $p passed, $f failed, $s skipped"
		passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	fi
fi

reports=$(find "$report/san" -type f 2>/dev/null | sort)
if [ -n "$reports" ]; then
	echo "== sanitizer reports"
	for r in $reports; do echo "--- $r"; head -60 "$r"; done
	n=$(echo "$reports" | wc -l)
	echo "sanitizers: $n report(s), counted as failures"
	failed=$((failed + n))
fi

[ "$skipped" -eq 0 ] || echo "$skipped skipped (not counted as passed: the reason is on each test's line)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
