#!/usr/bin/env bats
# http_api_queue.bats - the relay queue over the JSON API: the same listing as `mail-server
# queue --json`, and retry, hold, release and delete through the relay's operator actions,
# against exmail.qq.com whose peer gmail.com is down (so mail for it stays queued).

load ../lib/common
load ../lib/relay
load ../lib/http

setup_file() {
	common_setup_file
	make_topology
	sed -i 's/^  retry: .*/  retry: [10m]/' "$CONF" # every attempt after the first is one a test asked for
	export EX_HTTP
	EX_HTTP=$(free_ports 1)
	add_http exmail.qq.com "$EX_HTTP"
	start_dns
	start_server exmail.qq.com
	wait_port "$EX_HTTP" 30
}
teardown_file() { common_teardown_file; }

queue_json() { api_json "$EX_HTTP" /api/v1/queue; }

# queue_act METHOD PATH-SUFFIX: acts on the (one) queued message; fails unless the answer
# is {"ok": true, "id": ID}.
queue_act() {
	local id out
	id=$(queue_json | jq -r '.messages[0].id')
	out=$(api_json "$EX_HTTP" "/api/v1/queue/$id$2" -X "$1") || return 1
	[ "$(jq -r '.ok, .id' <<<"$out" | paste -sd ' ')" = "true $id" ]
}

# attempts_become N SECONDS: until the queued message has had N attempts.
attempts_become() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(queue_json | jq -r '.messages[0].attempts')" = "$1" ] && return 0
		nap 0.1
	done
	queue_json >&2
	return 1
}

@test "GET queue is the JSON of mail-server queue --json" {
	[ "$(queue_json | jq -r '.messages | length')" = 0 ]
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "stays queued" usr@gmail.com
	wait_log exmail.qq.com 'relay deferred' 30
	run queue_json
	echo "$output"
	[ "$(jq -r '.messages[0].recipients[0].address' <<<"$output")" = usr@gmail.com ]
	[ "$(jq -r '.messages[0].recipients[0].state' <<<"$output")" = pending ]
	[ "$(jq -r '.messages[0].attempts' <<<"$output")" = 1 ]
	local cli
	cli=$("$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/data" queue --json)
	[ "$(jq -S . <<<"$output")" = "$(jq -S . <<<"$cli")" ]
}

@test "POST retry makes the message due now: another attempt follows" {
	queue_act POST /retry
	attempts_become 2 15
}

@test "POST hold takes it out of the schedule (retry then 409), release puts it back and tries at once" {
	local id
	id=$(queue_json | jq -r '.messages[0].id')
	run api_json "$EX_HTTP" "/api/v1/queue/$id/hold" -X POST
	[ "$(jq -r .ok <<<"$output")" = true ]
	[ "$(queue_json | jq -r '.messages[0].state')" = held ]
	run api "$EX_HTTP" "/api/v1/queue/$id/retry" -X POST
	echo "$output"
	[ "${lines[-1]}" = "HTTP 409" ]
	[[ "$(sed '$d' <<<"$output" | jq -r .error.message)" == "$id: "* ]]
	run api "$EX_HTTP" "/api/v1/queue/$id/hold" -X POST
	[ "${lines[-1]}" = "HTTP 200" ] # holding a held message changes nothing
	[ "$(queue_json | jq -r '.messages[0].state')" = held ]
	run api_json "$EX_HTTP" "/api/v1/queue/$id/release" -X POST
	[ "$(jq -r .ok <<<"$output")" = true ]
	attempts_become 3 15
	run api "$EX_HTTP" "/api/v1/queue/$id/release" -X POST
	[ "${lines[-1]}" = "HTTP 409" ] # not held
}

@test "DELETE bounces the message to its sender with the reason and empties the queue" {
	local id
	id=$(queue_json | jq -r '.messages[0].id')
	queue_act DELETE ""
	[ "$(queue_json | jq -r '.messages | length')" = 0 ]
	run api_json "$EX_HTTP" "/api/v1/mailboxes/usr1@mail.sustech.edu.cn/messages?wait=1&timeout=20s"
	echo "$output"
	[ "$(jq -r .total <<<"$output")" = 1 ]
	local bounce
	bounce=$(jq -r '.messages[0].id' <<<"$output")
	run api_json "$EX_HTTP" "/api/v1/messages/$bounce"
	[[ "$(jq -r .text <<<"$output")" == *"deleted from the queue by the operator: DELETE /api/v1/queue"* ]]
	run api "$EX_HTTP" "/api/v1/queue/$id" -X DELETE
	[ "${lines[-1]}" = "HTTP 404" ]
}

@test "unknown or malformed queue ids are 404, '..' is 400, a wrong method 405" {
	for path in /api/v1/queue/0123456789abcdef/retry /api/v1/queue/not-hex/hold /api/v1/queue/zz/release; do
		run api "$EX_HTTP" "$path" -X POST
		[ "${lines[-1]}" = "HTTP 404" ]
	done
	run api "$EX_HTTP" /api/v1/queue/../retry -X POST
	[ "${lines[-1]}" = "HTTP 400" ]
	run api "$EX_HTTP" /api/v1/queue/abc/retry
	[ "${lines[-1]}" = "HTTP 405" ]
}
