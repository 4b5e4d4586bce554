#!/usr/bin/env bats
# bench_smtp_load.bats - the SMTP load client of the relay, smtp and overhead bench parts
# (scripts/bench/smtp_load.py) against the real mail-server: with --wait-dir it ends a run
# only when every message is a file in the mailbox's new/ (the rate's end is the newest
# file's change time, not the last 250), --fields prints just the figures asked for, and a
# mailbox that never fills fails the run instead of giving a figure.

load ../lib/common
load ../lib/pop3

setup_file() {
	common_setup_file
	pop3_topology
	start_pop_test
}

teardown_file() { common_teardown_file; }

smtp_load() {
	timeout 120 python3 "$REPO_ROOT/scripts/bench/smtp_load.py" 127.0.0.1 "$P_SMTP" --from alice@pop.test "$@"
}

@test "--wait-dir ends the run when every message is in new/; --fields prints the figures" {
	local new=$MAILROOT/bob@pop.test/new
	run smtp_load --to bob@pop.test --sessions 3 --messages 12 --size 2048 --mode conn --wait-dir "$new" \
		--fields messages,rate,accept_rate,p50_ms,p99_ms
	assert_success
	assert_output --regexp '^12 [0-9]+\.[0-9] [0-9]+\.[0-9] [0-9.]+ [0-9.]+$'
	[ "$(find "$new" -maxdepth 1 -type f | wc -l)" -eq 12 ]
}

@test "without --fields the JSON line carries start, end and both rates" {
	run smtp_load --to u001@pop.test --sessions 2 --messages 4 --mode reuse --wait-dir "$MAILROOT/u001@pop.test/new"
	assert_success
	python3 -c 'import json, sys; j = json.loads(sys.argv[1]); assert j["messages"] == 4 and j["end"] >= j["start"] and j["rate"] > 0 and j["accept_rate"] > 0 and j["errors"] == [], j' "$output"
}

@test "a mailbox that does not get every message fails the run, saying how many arrived" {
	run smtp_load --to u002@pop.test --sessions 1 --messages 2 --wait-dir "$T/never" --wait-timeout 1 --fields rate
	assert_failure 1
	assert_output --partial 'only 0 of 2 in '
}
