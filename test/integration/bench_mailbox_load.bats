#!/usr/bin/env bats
# bench_mailbox_load.bats - the C load client of the pop3 and imap bench parts
# (scripts/bench/mailbox_load.c) against the real mail-server: it fetches every message of
# every mailbox over POP3 and IMAP, counts what it fetched, and fails, naming the message,
# when a stored message differs from the manifest; so a bench figure cannot come from
# messages that were not read.

load ../lib/common
load ../lib/pop3

setup_file() {
	common_setup_file
	pop3_topology
	export P_IMAP=$(free_ports 1)
	sed -i "s/^    pop: $P_POP\$/    pop: $P_POP\n    imap: $P_IMAP/" "$CONF"
	python3 "$POP3_LOAD" fill "$MAILROOT" pop.test 4 5 "$T/manifest.json"
	cc -O2 -Wall -Wextra -Werror -pthread -o "$T/mailbox_load" "$REPO_ROOT/scripts/bench/mailbox_load.c" -lcrypto
	start_pop_test
	wait_port "$P_IMAP" 30 "$(pid_of pop.test)"
}

teardown_file() { common_teardown_file; }

load_client() { timeout 60 "$T/mailbox_load" "$1" "$2" 127.0.0.1 "$3" "$T/manifest.json" "${@:4}"; }

@test "every message of every mailbox over POP3 and IMAP, two rounds, counted and checksummed" {
	run load_client pop3 fetch "$P_POP" --sessions 3 --rounds 2
	assert_success
	assert_output --regexp '^\{"logins": 8, "messages": 40, "bytes": [1-9][0-9]*, "seconds": [0-9.]+, "errors": \[\]\}$'
	run load_client imap fetch "$P_IMAP" --sessions 3 --rounds 2
	assert_success
	assert_output --regexp '^\{"logins": 8, "messages": 40, "bytes": [1-9][0-9]*, "seconds": [0-9.]+, "errors": \[\]\}$'
}

@test "POP3 logins for a second: USER/PASS/STAT/QUIT, each counted" {
	run load_client pop3 logins "$P_POP" --sessions 2 --seconds 1
	assert_success
	assert_output --regexp '^\{"logins": [1-9][0-9]*, "messages": 0, .*"errors": \[\]\}$'
}

@test "a stored message that differs from the manifest fails both protocols, naming it" {
	local file
	file=$(ls "$MAILROOT/u002@pop.test/new/"* "$MAILROOT/u002@pop.test/cur/"* 2>/dev/null | sort | sed -n 3p)
	cp "$file" "$T/original"
	# the same size, one octet changed (S= in the name stays true), as a new file renamed over
	# the old one: Maildir files are not rewritten in place, and the server keeps a read
	# message's text for the inode it listed (README, POP3). Put back the same way at the end.
	cp "$file" "$T/changed"
	printf 'X' | dd of="$T/changed" bs=1 seek=0 conv=notrunc status=none
	mv "$T/changed" "$file"
	run load_client pop3 fetch "$P_POP" --sessions 2
	assert_failure 1
	assert_output --partial '"u002@pop.test: message 3: checksum differs'
	run load_client imap fetch "$P_IMAP" --sessions 2
	mv "$T/original" "$file"
	assert_failure 1
	assert_output --partial '"u002@pop.test: message 3: checksum differs'
}

@test "a manifest with a message the mailbox lacks fails: STAT and FETCH counts are checked" {
	python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); m["u001@pop.test"].append(m["u001@pop.test"][0]); json.dump(m, open(sys.argv[1] + ".more", "w"))' "$T/manifest.json"
	run timeout 60 "$T/mailbox_load" pop3 fetch 127.0.0.1 "$P_POP" "$T/manifest.json.more" --sessions 2
	assert_failure 1
	assert_output --regexp '"u001@pop.test: STAT \+OK 5 [0-9]+, expected 6 messages"'
	run timeout 60 "$T/mailbox_load" imap fetch 127.0.0.1 "$P_IMAP" "$T/manifest.json.more" --sessions 2
	assert_failure 1
	assert_output --partial '"u001@pop.test: 5 messages fetched, expected 6"'
}
