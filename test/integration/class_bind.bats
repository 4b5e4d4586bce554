#!/usr/bin/env bats
# class_bind.bats - BIND 9 as the class registry (the anchor): a private named (its own
# config in a temp dir, a loopback port, foreground, stopped in teardown) serves
# class.test with an update-policy for one TSIG key. Two providers on different loopback
# addresses, in no zone file, register into it, relay mail both ways asking only named,
# and disappear from the zone at shutdown. A wrong key or no key changes nothing.

bats_require_minimum_version 1.5.0

load ../lib/common
load ../lib/relay
load ../lib/class

setup_file() {
	common_setup_file
	command -v named >/dev/null || skip "named is not installed (bind9, scripts/install-deps.sh test)"
	command -v nsupdate >/dev/null || skip "nsupdate is not installed (bind9-utils, scripts/install-deps.sh test)"
	export NAMED_PORT
	NAMED_PORT=$(free_ports 1)
	"$REPO_ROOT/scripts/class.sh" named-config "$T/named" "$NAMED_PORT" "$CLASS_KEY_NAME" "$CLASS_KEY_SECRET"
	start_bg named named -f -c "$T/named/named.conf" -p "$NAMED_PORT" -n 1 >/dev/null
	wait_answer "$NAMED_PORT" class.test SOA 'class\.test' 20
	start_two_students "$NAMED_PORT"
}

teardown_file() { common_teardown_file; }

@test "named accepts the providers' signed UPDATEs: MX, A, TYPE65280 and SRV" {
	check_registered "$NAMED_PORT"
}

@test "mail relays both ways between the providers with named as their only DNS server" {
	check_relay_both_ways "$NAMED_PORT" "via bind"
}

@test "named refuses an UPDATE signed with a wrong key or none; the zone is unchanged" {
	run nsupdate_with "$WRONG_KEY_SECRET" "$NAMED_PORT" 'update add evil.class.test 60 A 10.6.6.6'
	[ "$status" -ne 0 ]
	run nsupdate_with - "$NAMED_PORT" 'update add evil.class.test 60 A 10.6.6.6'
	[[ "$output" == *REFUSED* ]]
	run q "$NAMED_PORT" evil.class.test A
	assert_output ''
	wait_grep "$T/named/named.log" 'request has invalid signature: TSIG class-key: tsig verify failure \(BADSIG\)' 30
	wait_grep "$T/named/named.log" "update 'class.test/IN' denied" 30
	run nsupdate_with "$CLASS_KEY_SECRET" "$NAMED_PORT" 'update add ok.class.test 60 A 127.0.0.8'
	assert_success
	run q "$NAMED_PORT" ok.class.test A
	assert_output 127.0.0.8
}

@test "a provider's clean shutdown removes its records from named" {
	check_withdrawn_at_shutdown "$NAMED_PORT"
}
