#!/usr/bin/env bats
# faults_dns.bats - `dns.faults` in a running mail-dns, seen with dig: servfail, nxdomain,
# refused (times), drop, delay; `mail-dns fault add|list|clear` through its control socket
# (mail-dns-PORT.sock beside the config) and SIGHUP reload.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	python3 - "$CONF" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read().replace("  zone: zone.yaml\n", """  zone: zone.yaml
  faults:
    rules:
      - { name: gmail.com., type: MX, action: servfail }
      - { name: smtp.gmail.com., type: A, action: nxdomain }
      - { name: "*.drop.example", action: drop }
      - { name: slow.example., action: delay, delay: 2s }
      - { name: refused.example., action: refused, times: 1 }
""", 1)
open(path, "w").write(text)
PY
	start_dns
}

teardown_file() { common_teardown_file; }

q() { dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 "$@"; }
status_of() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
dns_fault() { "$MAIL_BIN/mail-dns" --conf "$CONF" fault "$@"; }

@test "servfail and nxdomain per name and type; other names and types answer as before" {
	[ "$(status_of gmail.com MX)" = SERVFAIL ]
	[ "$(status_of smtp.gmail.com A)" = NXDOMAIN ]
	[ "$(status_of mail.sustech.edu.cn MX)" = NOERROR ]
	[ "$(q +short smtp.gmail.com TYPE65280)" != "" ]
	q gmail.com MX | grep -q "QUESTION SECTION" # the question is echoed
	grep -q "fault fired name=gmail.com type=15 rule=1 action=servfail" "$T/mail-dns.log"
}

@test "faults apply over TCP too: servfail, nxdomain, and a dropped query left unanswered" {
	[ "$(status_of +tcp gmail.com MX)" = SERVFAIL ]
	[ "$(status_of +tcp smtp.gmail.com A)" = NXDOMAIN ]
	[ "$(status_of +tcp mail.sustech.edu.cn MX)" = NOERROR ]
	run q +tcp b.drop.example A
	[ "$status" -eq 9 ] # dig: no reply on the open connection
}

@test "refused with times: 1 refuses the first query only" {
	[ "$(status_of refused.example A)" = REFUSED ]
	[ "$(status_of refused.example A)" = NXDOMAIN ]
}

@test "drop sends nothing: the client times out" {
	run q a.drop.example A
	[ "$status" -eq 9 ] # dig: no reply
	[ "$(status_of drop.example A)" = NXDOMAIN ] # the glob needs a label before .drop.example
}

@test "delay answers late" {
	local start elapsed
	start=$(date +%s%3N)
	[ "$(dig @127.0.0.1 -p "$DNS_PORT" +time=5 +tries=1 slow.example A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" = NXDOMAIN ]
	elapsed=$(($(date +%s%3N) - start))
	[ "$elapsed" -ge 1900 ]
}

@test "mail-dns fault add, list and clear through the control socket" {
	[ -S "$T/mail-dns-$DNS_PORT.sock" ]
	run dns_fault add '{name: mail.sustech.edu.cn., type: MX, action: servfail}'
	[ "$status" -eq 0 ]
	[ "$output" = 'added {name: "mail.sustech.edu.cn.", type: MX, action: servfail}' ]
	[ "$(status_of mail.sustech.edu.cn MX)" = SERVFAIL ]
	run dns_fault list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^1\ hits=[1-9][0-9]*\ \{name:\ \"gmail.com.\",\ type:\ MX,\ action:\ servfail\}$ ]] # hits: UDP and TCP tests
	[ "${lines[5]}" = '6 hits=1 {name: "mail.sustech.edu.cn.", type: MX, action: servfail}' ]
	run dns_fault add '{name: x., action: explode}'
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown action 'explode'"* ]]
	run dns_fault clear
	[ "$output" = "6 fault rules cleared" ]
	[ "$(status_of gmail.com MX)" = NOERROR ]
}

@test "SIGHUP reloads dns.faults from the config" {
	sed -i 's/{ name: gmail.com., type: MX, action: servfail }/{ name: gmail.com., type: MX, action: nxdomain }/' "$CONF"
	kill -HUP "$(awk '$2 == "mail-dns" { print $1 }' "$T/pids")"
	local i
	for i in $(seq 1 300); do grep -q "reloaded faults rules=5" "$T/mail-dns.log" && break; nap 0.1; done
	[ "$(status_of gmail.com MX)" = NXDOMAIN ]
	run dns_fault list
	[ "${#lines[@]}" -eq 5 ]
}

@test "a bad dns.faults rule is refused at load with exit 78" {
	sed 's/action: nxdomain }/action: nxdomain, delay: 1s }/' "$CONF" >"$T/bad.yaml"
	run "$MAIL_BIN/mail-dns" --conf "$T/bad.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"dns.faults.rules[0].delay"* ]]
}
