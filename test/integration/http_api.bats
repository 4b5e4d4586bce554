#!/usr/bin/env bats
# http_api.bats - the JSON API (`http:`): info, errors, path validation, the loopback
# rule and basic auth, driven with curl and jq against the real mail-server.

load ../lib/common
load ../lib/relay
load ../lib/http

setup_file() { common_setup_file && http_topology; }
teardown_file() { common_teardown_file; }

@test "info names the server, its domains, ports, accounts and the DNS records that point at it" {
	run api_json "$GM_HTTP" /api/v1/info
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .server <<<"$output")" = gmail.com ]
	[ "$(jq -r '.domains | join(",")' <<<"$output")" = gmail.com ]
	[ "$(jq -r .ports.smtp <<<"$output")" = "$GM_SMTP" ]
	[ "$(jq -r .ports.http <<<"$output")" = "$GM_HTTP" ]
	[ "$(jq -r '.accounts | join(",")' <<<"$output")" = usr@gmail.com ]
	[ "$(jq -r '.dns[] | select(.type == "MX") | .name + " " + .value' <<<"$output")" = "gmail.com gmail-smtp-in.l.google.com" ]
	[ "$(jq -r '.dns[] | select(.type == "P" and .name == "smtp.gmail.com") | .value' <<<"$output")" = "$GM_SMTP" ]
	# none of the other provider's names
	[ -z "$(jq -r '.dns[] | select(.name | test("qq")) | .name' <<<"$output")" ]
	# and no passwords anywhere
	[[ "$output" != *pass* ]]
}

@test "every answer carries the Content-Security-Policy and nosniff" {
	run curl -s -D - -o /dev/null "http://127.0.0.1:$EX_HTTP/api/v1/info"
	[[ "$output" == *"Content-Security-Policy: default-src 'self'"*"object-src 'none'"* ]]
	[[ "$output" == *"X-Content-Type-Options: nosniff"* ]]
	run curl -s -D - -o /dev/null "http://127.0.0.1:$EX_HTTP/nothing/here"
	[[ "$output" == *"Content-Security-Policy: default-src 'self'"* ]]
}

@test "topology lists both providers from the config and the zone's MX, P and A records" {
	run api_json "$EX_HTTP" /api/v1/topology
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.providers[].server] | join(",")' <<<"$output")" = "exmail.qq.com,gmail.com" ]
	[ "$(jq -r '.providers[1].http' <<<"$output")" = "http://127.0.0.1:$GM_HTTP" ]
	[ "$(jq -r '.providers[0].ports.pop' <<<"$output")" = "$EX_POP" ]
	[ "$(jq -r .dns.listen <<<"$output")" = "127.0.0.1:$DNS_PORT" ]
	[ "$(jq -r '.records[] | select(.type == "MX" and .name == "mail.sustech.edu.cn") | .value + " " + (.preference | tostring)' <<<"$output")" = "mxbiz1.qq.com 10" ]
	[ "$(jq -r '.records[] | select(.type == "P" and .name == "pop.gmail.com") | .value' <<<"$output")" = "$GM_POP" ]
}

@test "an unknown path is a JSON 404, a wrong method a JSON 405" {
	run api "$EX_HTTP" /api/v1/nothing
	[ "${lines[-1]}" = "HTTP 404" ]
	[ "$(sed '$d' <<<"$output" | jq -r .error.status)" = 404 ]
	[[ "$(sed '$d' <<<"$output" | jq -r .error.message)" == *"/api/v1/nothing"* ]]
	run api "$EX_HTTP" /api/v1/info -X DELETE
	[ "${lines[-1]}" = "HTTP 405" ]
	[ "$(sed '$d' <<<"$output" | jq -r .error.status)" = 405 ]
}

@test "a path segment with '..', an escaped '/' or NUL is 400 before any route runs" {
	for path in /api/v1/messages/.. /api/v1/messages/..%2F..%2Fetc /api/v1/mailboxes/%2e%2e/messages \
		/api/v1/messages/a%2Fb /api/v1/messages/a%5Cb /api/v1/messages/a%00b; do
		run api "$EX_HTTP" "$path"
		echo "$path: $output"
		[ "${lines[-1]}" = "HTTP 400" ]
		[ "$(sed '$d' <<<"$output" | jq -r .error.status)" = 400 ]
	done
}

@test "a non-loopback http.address without users refuses to start (exit 78)" {
	local port
	port=$(free_ports 1)
	sed "s/^    http: $GM_HTTP\$/    http: { port: $port, address: 0.0.0.0 }/" "$CONF" >"$T/open.yaml"
	grep -q 'address: 0.0.0.0' "$T/open.yaml"
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$T/open.yaml" --data "$T/data-open"
	echo "$output"
	[ "$status" -eq 78 ]
	[[ "$output" == *"http.address"*"needs http.users"* ]]
	run "$MAIL_BIN/mail-server" --check --conf "$T/open.yaml"
	[ "$status" -eq 78 ]
}

@test "with http.users every request needs basic auth (401 and WWW-Authenticate without it); users follow SIGHUP" {
	local ports hash
	ports=($(free_ports 5))
	hash=$("$MAIL_BIN/mail-agent" hash-password <<<"s3cret" | tail -n 1)
	mkdir -p "$T/auth"
	cat >"$T/auth/mail.yaml" <<YAML
dns:
  listen: 127.0.0.1:${ports[0]}
  zone: $T/zone.yaml
servers:
  gmail.com:
    smtp: ${ports[1]}
    pop: ${ports[2]}
    http: { port: ${ports[3]}, address: 127.0.0.1, users: { alice: "$hash", bob: plain } }
    accounts:
      usr@gmail.com: pass
YAML
	start_bg auth-server "$MAIL_BIN/mail-server" -n gmail.com --conf "$T/auth/mail.yaml" --data "$T/auth/data" >/dev/null
	wait_port "${ports[3]}" 30
	run curl -s -D - "http://127.0.0.1:${ports[3]}/api/v1/info"
	[[ "$output" == *"HTTP/1.1 401"* ]]
	[[ "$output" == *'WWW-Authenticate: Basic realm="mail-server gmail.com"'* ]]
	[[ "$output" == *'"status":401'* ]]
	run api "${ports[3]}" /api/v1/info -u alice:wrong
	[ "${lines[-1]}" = "HTTP 401" ]
	run api "${ports[3]}" /api/v1/info -u alice:s3cret
	[ "${lines[-1]}" = "HTTP 200" ]
	run api "${ports[3]}" /api/v1/info -u bob:plain
	[ "${lines[-1]}" = "HTTP 200" ]
	# SIGHUP: users and accounts follow the file; the port stays (it needs a restart)
	sed -i -e 's/bob: plain/bob: changed/' -e 's/^      usr@gmail.com: pass$/      usr@gmail.com: pass\n      new@gmail.com: pw/' "$T/auth/mail.yaml"
	kill -HUP "$(pid_of auth-server)"
	wait_log auth-server 'reloaded conf=.* accounts=2' 30
	run api "${ports[3]}" /api/v1/info -u bob:plain
	[ "${lines[-1]}" = "HTTP 401" ]
	run api_json "${ports[3]}" /api/v1/info -u bob:changed
	[ "$(jq -r '.accounts | join(",")' <<<"$output")" = "new@gmail.com,usr@gmail.com" ]
	run api_json "${ports[3]}" /api/v1/mailboxes/new@gmail.com/messages -u bob:changed
	[ "$(jq -r .total <<<"$output")" = 0 ]
	stop_one auth-server
}
