#!/usr/bin/env bats
# class_script.bats - scripts/class.sh: the teacher's command starts a registry and prints
# the students' line; that line (with a name and this machine's ports) starts a provider
# that registers itself; stop withdraws it. Once with mail-dns, once with BIND's named.

bats_require_minimum_version 1.5.0

load ../lib/common
load ../lib/relay
load ../lib/class

setup_file() {
	common_setup_file
	export CLASS=$REPO_ROOT/scripts/class.sh
}

teardown_file() {
	local dir
	for dir in "$T"/alice-* "$T"/bob-* "$T"/teacher-*; do
		[ ! -d "$dir" ] || "$CLASS" stop --dir "$dir" >/dev/null 2>&1 || true
	done
	common_teardown_file
}

# class_round KIND: teacher with KIND, students alice and bob from the printed line, mail
# between them, then stop.
class_round() {
	local kind=$1 ports line
	ports=($(free_ports 7))
	run "$CLASS" teacher --registry "$kind" --listen "127.0.0.1:${ports[0]}" --dir "$T/teacher-$kind"
	assert_success
	assert_line --partial "class registry: $kind on 127.0.0.1:${ports[0]} for the zone class.test"
	line=$(grep -m1 'scripts/class.sh student NAME' <<<"$output" | sed 's/^ *//')
	[[ "$line" == "scripts/class.sh student NAME --registry 127.0.0.1:${ports[0]} --key "* ]]
	local -a student
	read -ra student <<<"${line/NAME/alice}"
	run "$REPO_ROOT/${student[0]}" "${student[@]:1}" --address 127.0.0.2 --smtp "${ports[1]}" --pop "${ports[2]}" --http "${ports[3]}" --password pw-a --dir "$T/alice-$kind"
	assert_success
	assert_line "account: alice@alice.class.test  password: pw-a"
	read -ra student <<<"${line/NAME/bob}"
	run "$REPO_ROOT/${student[0]}" "${student[@]:1}" --address 127.0.0.3 --smtp "${ports[4]}" --pop "${ports[5]}" --http "${ports[6]}" --password pw-b --dir "$T/bob-$kind"
	assert_success
	wait_answer "${ports[0]}" alice.class.test MX '^10 mail\.alice\.class\.test\.$' 20
	wait_answer "${ports[0]}" bob.class.test MX '^10 mail\.bob\.class\.test\.$' 20
	send_mail "127.0.0.2:${ports[1]}" alice@alice.class.test "class.sh $kind" bob@bob.class.test
	local i
	for ((i = 0; i < 300; i++)); do
		[ -z "$(find "$T/bob-$kind/data/bob/mail/bob@bob.class.test/new" -type f 2>/dev/null)" ] || break
		nap 0.1
	done
	grep -q "Subject: class.sh $kind" "$T/bob-$kind"/data/bob/mail/bob@bob.class.test/new/*
	curl -sf "http://127.0.0.2:${ports[3]}/.well-known/autoconfig/mail/config-v1.1.xml" | grep -q "<port>${ports[2]}</port>"
	run "$CLASS" stop --dir "$T/bob-$kind"
	assert_line --partial "stopped bob"
	wait_answer "${ports[0]}" bob.class.test MX '^$' 10
	"$CLASS" stop --dir "$T/alice-$kind" >/dev/null
	run "$CLASS" stop --dir "$T/teacher-$kind"
	assert_line --partial "stopped registry"
}

@test "class.sh with mail-dns as the registry: teacher, two students, mail, stop" {
	class_round mail-dns
}

@test "class.sh with BIND as the registry: teacher, two students, mail, stop" {
	command -v named >/dev/null || skip "named is not installed (bind9, scripts/install-deps.sh test)"
	class_round bind
}

@test "class.sh refuses a student without registry or key, and a name that is not a DNS label" {
	run "$CLASS" student alice
	assert_failure
	assert_output --partial "needs --registry IP:PORT and --key SECRET"
	run "$CLASS" student Not_A_Label --registry 127.0.0.1:1 --key x
	assert_failure
	assert_output --partial "DNS label"
}
