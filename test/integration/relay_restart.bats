#!/usr/bin/env bats
# relay_restart.bats - the relay queue survives kill -9 (SPEC.md: "250 after DATA means
# the message is on disk"): 200 messages queued for a stopped destination, the sending
# server killed with SIGKILL, both restarted: every one of the 200 arrives.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	make_topology
	start_dns
	start_server exmail.qq.com
}

teardown_file() { common_teardown_file; }

@test "kill -9 with 200 messages queued for a stopped destination: all 200 arrive after restart" {
	send_many "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com 200
	[ "$(queue_count exmail.qq.com)" -eq 200 ]
	wait_log exmail.qq.com 'relay deferred to=<usr@gmail.com>' 5
	stop_one exmail.qq.com KILL
	[ "$(queue_count exmail.qq.com)" -eq 200 ]

	start_server exmail.qq.com
	grep -q 'relay started workers=2 queued=200' "$T/exmail.qq.com.log"
	start_server gmail.com
	local took
	took=$(wait_count usr@gmail.com gmail.com 200 30)
	echo "# 200 messages delivered ${took} ms after the destination started" >&3
	# every message arrived (a message in flight at the kill may come twice, none zero times)
	local subjects
	subjects=$(mailbox_text usr@gmail.com gmail.com | sed -n 's/^Subject: msg \([0-9]*\)\r\{0,1\}$/\1/p' | sort -un | wc -l)
	[ "$subjects" -eq 200 ]
	for _ in $(seq 1 100); do [ "$(queue_count exmail.qq.com)" -eq 0 ] && break; sleep 0.05; done
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
	[ -z "$(find "$T/data/exmail.qq.com/queue" -type f)" ]
}
