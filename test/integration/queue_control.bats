#!/usr/bin/env bats
# queue_control.bats - operating a running provider's queue (like mailq, postqueue,
# postsuper): `mail-server -n NAME queue [--json] | retry ID|--all | hold ID | release ID |
# delete ID` against a running server whose peer (gmail.com) is down, through the control
# socket DATA/NAME/control.sock.

load ../lib/common
load ../lib/relay

setup_file() { common_setup_file && queue_topology; }
teardown_file() { common_teardown_file; }

queue_cmd() { "$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/data" queue "$@"; }

# json_field EXPR: a Python expression over the parsed `queue --json` as q.
json_field() { queue_cmd --json | python3 -c 'import json, sys; q = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

queued_id() { basename "$(ls "$T"/data/exmail.qq.com/queue/*.mail | head -n 1)" .mail; }

# attempts_become N SECONDS: until the message has had N attempts.
attempts_become() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(json_field 'q["messages"][0]["attempts"]' 2>/dev/null)" = "$1" ] && return 0
		nap 0.1
	done
	queue_cmd >&2
	return 1
}

@test "queue lists a deferred message per recipient: state, attempts, next attempt, last reply" {
	run queue_cmd
	[ "$status" -eq 0 ]
	[ "$output" = "Mail queue is empty" ]
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "queued" usr@gmail.com
	wait_log exmail.qq.com 'relay deferred' 30
	attempts_become 1 10 # the log line comes just before the attempt is recorded
	local id
	id=$(queued_id)
	run queue_cmd
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "$id "*" waiting  <usr1@mail.sustech.edu.cn>" ]]
	[[ "${lines[2]}" =~ ^\ +\<usr@gmail\.com\>\ pending\ attempts=1\ next=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+[-+][0-9]{2}:[0-9]{2}\ status=4\.[0-9.]+\ reply=\".+\"$ ]]
	[[ "$output" == *"-- 1 message in the queue"* ]]
	[ "$(json_field 'q["messages"][0]["id"]')" = "$id" ]
	[ "$(json_field 'q["messages"][0]["recipients"][0]["state"]')" = pending ]
	[ "$(json_field 'q["messages"][0]["state"]')" = waiting ]
	[ "$(json_field 'q["messages"][0]["next_attempt"] is not None')" = True ]
}

@test "queue retry ID and retry --all try again now (postqueue -i / -f)" {
	local id
	id=$(queued_id)
	run queue_cmd retry "$id"
	[ "$status" -eq 0 ]
	attempts_become 2 10
	run queue_cmd retry --all
	[ "$status" -eq 0 ]
	[[ "$output" == "1 messages due now" ]]
	attempts_become 3 10
}

@test "queue hold keeps a message from being tried, across a restart; release sends it again" {
	local id
	id=$(queued_id)
	run queue_cmd hold "$id"
	[ "$status" -eq 0 ]
	grep -q "^hold" "$T/data/exmail.qq.com/queue/$id.state"
	[ "$(json_field 'q["messages"][0]["state"]')" = held ]
	run queue_cmd retry "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"on hold; release it first"* ]]
	stop_one exmail.qq.com
	start_server exmail.qq.com
	sleep 1
	[ "$(json_field 'q["messages"][0]["state"]')" = held ]
	[ "$(json_field 'q["messages"][0]["attempts"]')" = 3 ]
	run queue_cmd release "$id"
	[ "$status" -eq 0 ]
	attempts_become 4 10
	[ "$(json_field 'q["messages"][0]["state"]')" = waiting ]
	! grep -q "^hold" "$T/data/exmail.qq.com/queue/$id.state"
}

@test "queue delete bounces the message to its sender with the reason and removes it" {
	local id before
	id=$(queued_id)
	before=$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)
	run queue_cmd delete "$id"
	[ "$status" -eq 0 ]
	[ ! -e "$T/data/exmail.qq.com/queue/$id.mail" ]
	[ ! -e "$T/data/exmail.qq.com/queue/$id.state" ]
	run queue_cmd
	[ "$output" = "Mail queue is empty" ]
	[ "$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)" -eq $((before + 1)) ]
	mailbox_text usr1@mail.sustech.edu.cn exmail.qq.com | grep -q "deleted from the queue by the operator"
	mailbox_text usr1@mail.sustech.edu.cn exmail.qq.com | grep -q "Final-Recipient: rfc822; *usr@gmail.com"
}

@test "queue: an unknown id is refused with status 1; a server that is not running gives 69" {
	run queue_cmd hold nosuchid
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such message"* ]]
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$CONF" --data "$T/data" queue
	[ "$status" -eq 69 ]
	[[ "$output" == *"not running"* ]]
	run queue_cmd frobnicate x
	[ "$status" -eq 64 ]
	[ "$(stat -c %a "$T/data/exmail.qq.com/control.sock")" = 600 ]
}
