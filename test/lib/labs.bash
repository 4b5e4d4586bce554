# labs.bash - running a ready-made lab (scripts/labs/NAME.sh) as a test, for labs_*.bats.
# A lab runs the real programs on its own free ports and temp dir, and exits 0 when its
# checks pass, 1 when one fails, 77 when it cannot run here (then the test is skipped, with
# the lab's reason). Each takes well under 30 s on a quiet machine (short retries and
# timeouts); how long is printed, not asserted: the suite runs files side by side, and a
# lab's own checks are what it must pass. The labs are split over two files so that the
# suite runs them side by side.

# run_lab NAME: runs the lab, shows its output, fails on a failed check.
run_lab() {
	local start=$SECONDS
	run timeout 300 "$REPO_ROOT/scripts/labs/$1.sh"
	local took=$((SECONDS - start))
	echo "$output"
	echo "# took ${took}s"
	if [ "$status" -eq 77 ]; then skip "$(grep -m1 '^SKIP: ' <<<"$output" | cut -c7-)"; fi
	[ "$status" -eq 0 ]
	[[ "$output" == *"=== lab passed: "* ]]
}
