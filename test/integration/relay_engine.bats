#!/usr/bin/env bats
# relay_engine.bats - the relay engine at wire speed (issue 11): connections and DNS
# queries per 1,000 messages to one destination, one probe per retry interval for a
# destination that is down, and kill -9 in the middle of relaying 500 messages.
# mail-dns sits behind a counting UDP proxy (test/lib/relay_tools.py), so the queries
# that reach it are counted; the receiving server's log counts connections.

load ../lib/common
load ../lib/relay

TOOLS=$BATS_TEST_DIRNAME/../lib/relay_tools.py

setup_file() {
	common_setup_file
	local ports
	ports=($(free_ports 2))
	export REAL_DNS=${ports[0]} DOWN_PORT=${ports[1]}
	EXTRA_RELAY="  destination_concurrency: 20
  connection_cache_time: 2s
  max_messages_per_connection: 100" make_topology "down.example 10 mx.down.example $DOWN_PORT"
	# The config names the proxy (dns.listen); mail-dns itself listens behind it.
	start_bg mail-dns "$MAIL_BIN/mail-dns" --conf "$CONF" --listen "127.0.0.1:$REAL_DNS" >/dev/null
	start_bg dnsproxy python3 "$TOOLS" dnsproxy "$DNS_PORT" "$REAL_DNS" "$T/dns-queries" >/dev/null
	wait_udp_dns "$DNS_PORT" 30
	start_bg refuser python3 "$TOOLS" refuser "$DOWN_PORT" "$T/down-connects" >/dev/null
	wait_port "$DOWN_PORT" 30
	start_server exmail.qq.com
	start_server gmail.com
}

teardown_file() { common_teardown_file; }

# subjects PREFIX: how many distinct "PREFIX N" subjects, and how many in all, usr@gmail.com has.
subjects() {
	local all
	all=$(mailbox_text usr@gmail.com gmail.com | sed -n "s/^Subject: $1 \([0-9]*\)\r\{0,1\}\$/\1/p")
	echo "$(sort -un <<<"$all" | grep -c .) $(grep -c . <<<"$all")"
}

@test "1,000 messages to one destination: at most ceil(1000/100)+20 connections and a few DNS queries" {
	local took connects queries distinct total
	python3 "$TOOLS" send "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com 1000 5 msg
	took=$(wait_count usr@gmail.com gmail.com 1000 180)
	connects=$(grep -c ' connected peer=' "$T/gmail.com.log")
	queries=$(grep -c 'gmail' "$T/dns-queries")
	read -r distinct total < <(subjects msg)
	echo "# 1000 messages: all in the Maildir ${took} ms after the last was accepted; $connects connections; $queries DNS queries ($(tr '\n' ',' <"$T/dns-queries"))" >&3
	[ "$distinct" -eq 1000 ]
	[ "$total" -eq 1000 ]
	[ "$connects" -le 30 ]
	# a few DNS queries: each question (gmail.com MX, its exchanger's P) asked once per TTL
	# (60 s: a slow machine may need longer than that), plus the resolver's own retries
	# when the answer is slow (3 attempts, 1 s each): a burst of at most 3 queries within
	# 10 s, the next burst no sooner than 55 s after. A lookup per message or per
	# connection would put dozens into the first burst.
	[ "$queries" -ge 2 ]
	run awk '$2 ~ /gmail/ {
			q = $2 " " $3
			if (!(q in start) || $1 - start[q] >= 55) { start[q] = $1; n[q] = 0 }
			else if ($1 - start[q] > 10) { print "re-asked " q " after " $1 - start[q] " s, within its TTL"; bad = 1 }
			if (++n[q] > 3) { print q " asked " n[q] " times in one TTL"; bad = 1 }
		} END { exit bad }' "$T/dns-queries"
	assert_success
	wait_log exmail.qq.com 'relay delivered to=<usr@gmail.com>' 30
}

@test "a destination that is down at the greeting gets one connection per retry interval, however many messages wait" {
	local before after n
	before=$(grep -c connect "$T/down-connects")
	python3 "$TOOLS" send "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn someone@down.example 50 5 down
	[ "$(queue_count exmail.qq.com)" -eq 50 ]
	# three probes (relay.retry: 1s, 2s), however long a loaded machine takes for them
	down_connects() { [ $(($(grep -c connect "$T/down-connects") - before)) -ge 3 ]; }
	wait_until 30 down_connects
	after=$(grep -c connect "$T/down-connects")
	n=$((after - before))
	# The destination is dead for its retry interval from each failure: every probe comes
	# at least 1 s after the one before (the refuser stamps a connection before its 421,
	# so a slow machine only widens the gaps); one connection per waiting message would
	# put many into the first second.
	run awk -v skip="$before" 'NR > skip { if (NR > skip + 1 && $1 - last < 0.95) { printf "probe %d came %.3f s after the one before\n", NR - skip, $1 - last; bad = 1 } last = $1 } END { exit bad }' "$T/down-connects"
	echo "# 50 messages waiting for a destination answering 421: $n connections, gaps $(awk -v skip="$before" 'NR > skip { if (NR > skip + 1) printf "%.2f s ", $1 - last; last = $1 }' "$T/down-connects")(relay.retry: 1s, 2s)" >&3
	assert_success
	[ "$(queue_count exmail.qq.com)" -eq 50 ]
}

@test "kill -9 while 500 messages are being relayed: each arrives at least once" {
	local base distinct total
	stop_one gmail.com
	base=$(maildir_count usr@gmail.com gmail.com)
	python3 "$TOOLS" send "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com 500 5 kill
	start_server gmail.com
	wait_count usr@gmail.com gmail.com $((base + 50)) 60 >/dev/null
	stop_one exmail.qq.com KILL
	local at_kill=$(($(maildir_count usr@gmail.com gmail.com) - base))
	start_server exmail.qq.com
	wait_count usr@gmail.com gmail.com $((base + 500)) 120 >/dev/null
	for _ in $(seq 1 600); do [ "$(subjects kill | cut -d' ' -f1)" -eq 500 ] && break; nap 0.05; done
	read -r distinct total < <(subjects kill)
	echo "# killed with $at_kill of 500 delivered; after restart $distinct distinct, $((total - distinct)) duplicates" >&3
	[ "$at_kill" -lt 500 ] # the kill came in the middle
	[ "$distinct" -eq 500 ]
}
