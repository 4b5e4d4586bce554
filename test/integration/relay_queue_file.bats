#!/usr/bin/env bats
# relay_queue_file.bats - the one-file relay queue (issue 21) under kill -9: eight sessions
# keep sending to a remote recipient whose server is down (the relay defers, writing side
# state files, while SMTP writes entries), exmail.qq.com is killed with SIGKILL in the
# middle, then gmail.com and exmail.qq.com start: every message answered 250 arrives
# exactly once, whole, and whatever arrived without a 250 (durable, the reply lost with the
# kill) is whole too.

load ../lib/common
load ../lib/relay

LOAD=$BATS_TEST_DIRNAME/../lib/queue_load.py

setup_file() {
	common_setup_file
	make_topology
	start_dns
	start_server exmail.qq.com
}

teardown_file() { common_teardown_file; }

acked_at_least() { [ "$(wc -l <"$T/acked")" -ge "$1" ]; }
queue_empty() { [ "$(queue_count "$1")" -eq 0 ]; }

@test "kill -9 while eight senders fill the one-file queue: every acked message arrives once and whole" {
	local dir=$T/data/exmail.qq.com/queue acked=$T/acked flood
	: >"$acked"
	python3 "$LOAD" flood "$EX_SMTP" "$acked" 8 400 &
	flood=$!
	# mid-flight: entries being spooled and committed, the relay deferring (gmail.com is down)
	wait_until 60 acked_at_least 120
	wait_log exmail.qq.com 'relay deferred to=<usr@gmail.com>' 30
	stop_one exmail.qq.com KILL
	wait "$flood" || true
	echo "# $(wc -l <"$acked") acked before kill -9; left in the queue: $(ls "$dir" | grep -c '\.mail$') entries, $(ls "$dir" | grep -c '\.state$') states, $(ls "$dir" | grep -c '\.tmp$') temp files" >&3

	start_server gmail.com
	start_server exmail.qq.com
	grep -q 'relay started workers=2 queued=' "$T/exmail.qq.com.log"
	# recovery discarded what was being written, quarantined nothing
	[ -z "$(find "$dir" -maxdepth 1 -name '*.tmp')" ]
	[ ! -e "$dir/corrupt" ] || [ -z "$(ls "$dir/corrupt")" ]
	wait_until 120 queue_empty exmail.qq.com
	run python3 "$LOAD" check "$acked" "$T/data/gmail.com/mail/usr@gmail.com"
	echo "# $output" >&3
	[ "$status" -eq 0 ]
	# nothing left but finished entries' files kept for reuse (<n>.free, 256 at most)
	[ -z "$(find "$dir" -maxdepth 1 -type f ! -name '*.free')" ]
	[ "$(find "$dir" -maxdepth 1 -name '*.free' | wc -l)" -le 256 ]
}
