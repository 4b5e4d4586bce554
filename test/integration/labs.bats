#!/usr/bin/env bats
# labs.bats - every ready-made lab (scripts/labs/NAME.sh) is also a test: it runs the real
# programs on its own free ports and temp dir, and exits 0 when its checks pass, 1 when
# one fails, 77 when it cannot run here (then the test is skipped, with the lab's reason).
# Each takes well under 30 s on a quiet machine (short retries and timeouts); how long is
# printed, not asserted: the suite runs files side by side, and a lab's own checks are
# what it must pass.

load ../lib/common

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

@test "lab bounce: unknown user, unknown domain and a size refusal each bring a report" {
	run_lab bounce
}

@test "lab expiry: a peer answering 4xx forever; a 4.4.7 report at relay.expire" {
	run_lab expiry
}

@test "lab backup-mx: the backup takes the mail while the primary is down and forwards it" {
	run_lab backup-mx
}

@test "lab loop: two providers relaying a domain to each other; relay.max_hops cuts it" {
	run_lab loop
}

@test "lab dns-outage: no answer, then SERVFAIL: deferred, delivered when DNS is back" {
	run_lab dns-outage
}

@test "lab greylisting: 451 at the first attempt, delivered at the retry" {
	run_lab greylisting
}

@test "lab slow-peer: a stall after DATA, the relay's timeout, a retry and a duplicate" {
	run_lab slow-peer
}

@test "lab slow-link: 200 ms and 5% loss between providers (namespaces, netem)" {
	run_lab slow-link
}
