#!/usr/bin/env bats
# agent_capture.bats - scripts/capture.sh records the demo walkthrough (scripts/demo.sh)
# on this file's own ports; tshark's dissectors then find SMTP, POP3 and DNS in it.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	export PCAP=$T/demo.pcapng
	# capture.sh runs demo.sh, which starts the topology (nothing answers yet) and stops it
	local rc=0
	timeout 150 "$REPO_ROOT/scripts/capture.sh" --conf "$CONF" -o "$PCAP" -t 120 -- \
		"$REPO_ROOT/scripts/demo.sh" --conf "$CONF" --data "$T/data" >"$T/capture.out" 2>"$T/capture.err" || rc=$?
	echo "$rc" >"$T/capture.status"
}

teardown_file() { common_teardown_file; }

# decoded PACKET_FILTER: packets of the capture matching a display filter, one per line
# (tshark's answer kept per filter: a tshark start costs a second of CPU, and tests ask
# for some filters twice)
decoded() {
	local kept=$T/decoded.${1//[^A-Za-z0-9]/_}
	[ -e "$kept" ] || tshark -r "$PCAP" -d "udp.port==$DNS_PORT,dns" -d "tcp.port==$EX_SMTP,smtp" -d "tcp.port==$GM_SMTP,smtp" \
		-d "tcp.port==$EX_POP,pop" -d "tcp.port==$GM_POP,pop" -Y "$1" >"$kept" 2>/dev/null
	cat "$kept"
}

@test "the demo walkthrough ran under capture and every user read the message" {
	cat "$T/capture.err"
	[ "$(cat "$T/capture.status")" -eq 0 ]
	# the composed subject, then as each of the three users reads it back
	[ "$(grep -c 'Subject: Hello from the course walkthrough 你好' "$T/capture.out")" -eq 4 ]
	grep -q "=== usr@gmail.com reads its mailbox" "$T/capture.out"
	grep -q "wireshark -r $PCAP -d udp.port==$DNS_PORT,dns" "$T/capture.err"
	# capture.sh printed the decoded summary
	grep -qE 'SMTP .* C: MAIL FROM:' "$T/capture.out"
	# demo.sh stopped what it started
	run nc -z 127.0.0.1 "$EX_SMTP"
	[ "$status" -ne 0 ]
}

@test "tshark decodes SMTP MAIL, RCPT and DATA from the capture" {
	[ "$(decoded 'smtp.req.command == "MAIL"' | wc -l)" -ge 2 ]    # submission and relay
	[ "$(decoded 'smtp.req.command == "RCPT"' | wc -l)" -ge 4 ]    # three recipients, one relayed
	[ "$(decoded 'smtp.req.command == "DATA"' | wc -l)" -ge 2 ]
	decoded 'smtp.req.command == "RCPT"' | grep -q 'usr@gmail.com'
}

@test "tshark decodes POP3 USER and RETR from the capture" {
	[ "$(decoded 'pop.request.command == "USER"' | wc -l)" -ge 3 ]
	[ "$(decoded 'pop.request.command == "RETR"' | wc -l)" -ge 3 ]
	decoded 'pop.request.command == "USER"' | grep -q 'usr@gmail.com'
}

@test "tshark decodes DNS MX answers and finds no malformed packet" {
	decoded 'dns.flags.response == 1 && dns.qry.type == 15 && dns.count.answers > 0' | grep -q 'gmail.com MX'
	[ "$(decoded 'dns.qry.type == 65280' | wc -l)" -ge 2 ]
	[ "$(decoded '_ws.malformed || _ws.expert.severity == error' | wc -l)" -eq 0 ]
}
