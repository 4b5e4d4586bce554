#!/usr/bin/env bats
# relay_pipelining.bats - the relay uses PIPELINING (RFC 2920) against a peer that offers
# it and not against one that does not. The peers are recorders (test/lib/relay_tools.py)
# that hold their MAIL reply for 0.3 s and log which commands arrived before it.

load ../lib/common
load ../lib/relay

TOOLS=$BATS_TEST_DIRNAME/../lib/relay_tools.py

setup_file() {
	common_setup_file
	local ports
	ports=($(free_ports 2))
	export PIPE_PORT=${ports[0]} PLAIN_PORT=${ports[1]}
	make_topology "pipe.example 10 mx.pipe.example $PIPE_PORT" "plain.example 10 mx.plain.example $PLAIN_PORT"
	start_bg pipe python3 "$TOOLS" recorder "$PIPE_PORT" yes "$T/pipe.rec" >/dev/null
	start_bg plain python3 "$TOOLS" recorder "$PLAIN_PORT" no "$T/plain.rec" >/dev/null
	wait_port "$PIPE_PORT" 30
	wait_port "$PLAIN_PORT" 30
	start_dns
	start_server exmail.qq.com
}

teardown_file() { common_teardown_file; }

# relay_to PEER EXPECTED: one message to two recipients at PEER.example through exmail.qq.com;
# the recorder's line must be EXPECTED, and the message must leave the queue (delivered).
relay_to() {
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "to $1" "a@$1.example" "b@$1.example"
	wait_grep "$T/$1.rec" "MAIL then" 30
	run cat "$T/$1.rec"
	echo "# $output" >&3
	[ "$output" = "$2" ]
	for _ in $(seq 1 300); do [ "$(queue_count exmail.qq.com)" -eq 0 ] && break; nap 0.1; done
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
}

@test "against a peer that offers PIPELINING, MAIL, RCPT and DATA go in one batch" {
	relay_to pipe "MAIL then: RCPT RCPT DATA"
}

@test "against a peer that does not offer it, each command waits for the reply before it" {
	relay_to plain "MAIL then: "
}
