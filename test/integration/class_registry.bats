#!/usr/bin/env bats
# class_registry.bats - mail-dns as a class registry: two providers that are in no zone
# file register themselves (dns.register: RFC 2136 UPDATE with TSIG), find each other,
# relay both ways and disappear at shutdown; nsupdate with the class key works, and an
# unsigned or forged UPDATE changes nothing and is logged.

bats_require_minimum_version 1.5.0

load ../lib/common
load ../lib/relay
load ../lib/class

setup_file() {
	common_setup_file
	command -v nsupdate >/dev/null || skip "nsupdate is not installed (scripts/install-deps.sh test)"
	export REG_PORT
	REG_PORT=$(free_ports 1)
	mkdir -p "$T/registry"
	registry_config "$T/registry/registry.yaml" "$REG_PORT"
	start_bg registry "$MAIL_BIN/mail-dns" --conf "$T/registry/registry.yaml" >/dev/null
	wait_udp_dns "$REG_PORT" 30
	start_two_students "$REG_PORT"
}

teardown_file() { common_teardown_file; }

@test "providers in no zone file register MX, A, P and SRV records in mail-dns" {
	check_registered "$REG_PORT"
	# Written back to the zone file, so a restart of the registry keeps them.
	run grep -c 'mail.alice.class.test' "$T/registry/registry-zone.yaml"
	[ "$output" -ge 2 ]
}

@test "the two providers relay to each other both ways through the registry" {
	check_relay_both_ways "$REG_PORT" "via mail-dns"
}

@test "an unsigned UPDATE is REFUSED, a forged one NOTAUTH; neither changes the zone, both are logged" {
	local before
	before=$(cat "$T/registry/registry-zone.yaml")
	run nsupdate_with - "$REG_PORT" 'update add evil.class.test 60 A 10.6.6.6'
	[[ "$output" == *REFUSED* ]]
	run nsupdate_with "$WRONG_KEY_SECRET" "$REG_PORT" 'update delete alice.class.test MX'
	[ "$status" -ne 0 ]
	run q "$REG_PORT" evil.class.test A
	assert_output ''
	run q "$REG_PORT" alice.class.test MX
	assert_output '10 mail.alice.class.test.'
	[ "$(cat "$T/registry/registry-zone.yaml")" = "$before" ]
	wait_log registry 'update refused peer=127.0.0.1:[0-9]+ zone=class.test rcode=5 reason=unsigned' 30
	wait_log registry 'update refused peer=127.0.0.1:[0-9]+ zone=class.test rcode=9 reason=TSIG badsig key=class-key' 30
}

@test "nsupdate -y with the class key adds and deletes records, kept across a registry restart" {
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" $'update add teacher.class.test 60 MX 5 mail.teacher.class.test\nupdate add mail.teacher.class.test 60 A 127.0.0.9\nupdate add _submission._tcp.teacher.class.test 60 SRV 0 1 2525 mail.teacher.class.test'
	assert_success
	wait_answer "$REG_PORT" teacher.class.test MX '^5 mail\.teacher\.class\.test\.$' 5
	stop_one registry
	start_bg registry "$MAIL_BIN/mail-dns" --conf "$T/registry/registry.yaml" >/dev/null
	wait_udp_dns "$REG_PORT" 30
	run q "$REG_PORT" _submission._tcp.teacher.class.test SRV
	assert_output '0 1 2525 mail.teacher.class.test.'
	run q "$REG_PORT" mail.teacher.class.test A
	assert_output 127.0.0.9
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" 'update delete teacher.class.test'
	assert_success
	wait_answer "$REG_PORT" teacher.class.test MX '^$' 5
	# An update outside the zone is refused (NOTZONE) and changes nothing.
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" 'update add other.test 60 A 127.0.0.1'
	[[ "$output" == *NOTZONE* ]]
}

# answer_ttl_is NAME TYPE SECONDS: the registry answers NAME TYPE with that TTL.
answer_ttl_is() {
	[ "$(dig @127.0.0.1 -p "$REG_PORT" +time=2 +tries=2 +noall +answer "$1" "$2" | awk '{ print $2 }')" = "$3" ]
}

@test "an UPDATE's TTL is the TTL answered, written to the zone file and kept across a restart" {
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" $'update add ttl.class.test 3600 A 127.0.0.7\nupdate add ttl.class.test 120 TYPE65280 \\# 2 09C4'
	assert_success
	wait_until 30 answer_ttl_is ttl.class.test A 3600
	answer_ttl_is ttl.class.test TYPE65280 120
	grep -q '^  ttl.class.test.: {A: 3600, P: 120}$' "$T/registry/registry-zone.yaml"
	stop_one registry
	start_bg registry "$MAIL_BIN/mail-dns" --conf "$T/registry/registry.yaml" >/dev/null
	wait_udp_dns "$REG_PORT" 30
	answer_ttl_is ttl.class.test A 3600
	# The same record with another TTL replaces it (RFC 2136 3.4.2.2): one record, the new TTL.
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" 'update add ttl.class.test 600 A 127.0.0.7'
	assert_success
	wait_until 30 answer_ttl_is ttl.class.test A 600
	run q "$REG_PORT" ttl.class.test A
	assert_output 127.0.0.7
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" 'update delete ttl.class.test'
	assert_success
	wait_answer "$REG_PORT" ttl.class.test A '^$' 10
	! grep -q 'ttl.class.test' "$T/registry/registry-zone.yaml"
}

@test "SIGHUP registers again: a record deleted by hand comes back" {
	wait_answer "$REG_PORT" alice.class.test MX 'mail\.alice' 15
	run nsupdate_with "$CLASS_KEY_SECRET" "$REG_PORT" 'update delete alice.class.test MX'
	assert_success
	wait_answer "$REG_PORT" alice.class.test MX '^$' 5
	kill -HUP "$(recorded_pid alice)"
	wait_answer "$REG_PORT" alice.class.test MX '^10 mail\.alice\.class\.test\.$' 15
}

@test "a clean shutdown removes the provider's records; the other provider's stay" {
	check_withdrawn_at_shutdown "$REG_PORT"
	run grep -c 'bob' "$T/registry/registry-zone.yaml"
	assert_output 0
}

@test "a provider that starts before its registry keeps serving and registers once it is up" {
	local ports port smtp
	ports=($(free_ports 4))
	port=${ports[0]} smtp=${ports[1]}
	mkdir -p "$T/late"
	registry_config "$T/late/registry.yaml" "$port"
	student_config carol 127.0.0.4 "$port" "$smtp" "${ports[2]}" "${ports[3]}"
	start_student carol
	wait_log carol 'dns register failed zone=class.test server=127.0.0.1:[0-9]+ retry=1s' 30
	nc -z 127.0.0.4 "$smtp"
	start_bg late-registry "$MAIL_BIN/mail-dns" --conf "$T/late/registry.yaml" >/dev/null
	wait_answer "$port" carol.class.test MX '^10 mail\.carol\.class\.test\.$' 30
	stop_one carol
	stop_one late-registry
}
