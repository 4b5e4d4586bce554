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
	wait_log exmail.qq.com 'relay deferred to=<usr@gmail.com>' 30
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
	for _ in $(seq 1 600); do [ "$(queue_count exmail.qq.com)" -eq 0 ] && break; nap 0.05; done
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
	# nothing left but finished entries' files kept for reuse (<n>.free, 256 at most)
	[ -z "$(find "$T/data/exmail.qq.com/queue" -type f ! -name '*.free')" ]
	[ "$(find "$T/data/exmail.qq.com/queue" -name '*.free' | wc -l)" -le 256 ]
}

# put_queued SERVER ID SENDER RECIPIENT SUBJECT: a queue entry as RelayQueue writes it,
# placed while the server is stopped (restart recovery picks it up).
put_queued() {
	local dir=$T/data/$1/queue now
	now=$(date +%s)
	mkdir -p "$dir"
	printf 'From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nqueued by hand\r\n' "$3" "$4" "$5" >"$dir/$2.msg"
	printf 'version\t1\nid\t%s\nsender\t%s\narrival\t%s\nattempts\t0\nnext\t%s\nrcpt\tpending\t%s\t\t\t\nend\n' \
		"$2" "$3" "$now" "$now" "$4" >"$dir/$2.env"
}

@test "restart recovery: a bounce of a bounce is dropped, a DSN for a remote sender is relayed to it" {
	running gmail.com || start_server gmail.com
	stop_one exmail.qq.com
	# a failed DSN (null sender): must not produce another DSN
	put_queued exmail.qq.com 00000000010000000001 "" nobody@no-such-domain.invalid "bounce of a bounce"
	# a message from a sender that is not exmail's: its DSN travels to gmail.com like mail
	put_queued exmail.qq.com 00000000010000000002 usr@gmail.com ghost@no-such-domain.invalid "remote sender"
	local before
	before=$(maildir_count usr@gmail.com gmail.com)
	start_server exmail.qq.com
	grep -q 'relay started workers=2 queued=2' "$T/exmail.qq.com.log"
	wait_count usr@gmail.com gmail.com $((before + 1)) 30 >/dev/null
	local dsn
	dsn=$(grep -l '^Subject: remote sender' "$T"/data/gmail.com/mail/usr@gmail.com/new/*)
	grep -q '^Final-Recipient: rfc822; ghost@no-such-domain.invalid' "$dsn"
	grep -q '^From: Mail Delivery System <MAILER-DAEMON@mail.sustech.edu.cn>' "$dsn"
	grep -q '^Return-Path: <>' "$dsn"
	wait_log exmail.qq.com '00000000010000000001 relay dsn-dropped reason=null-sender' 30
	for _ in $(seq 1 600); do [ "$(queue_count exmail.qq.com)" -eq 0 ] && break; nap 0.05; done
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
	# nothing else was bounced anywhere
	! grep -rlq '^Subject: bounce of a bounce' "$T/data/exmail.qq.com/mail" "$T/data/gmail.com/mail"
}

# Issue 10, fault 4: a corrupt envelope used to be renamed to .env.corrupt and its message
# deleted as an orphan at the next start. Both now go to queue/corrupt/ and stay there.
@test "a corrupt envelope and its message are quarantined together and survive the next restart" {
	stop_one exmail.qq.com
	put_queued exmail.qq.com 00000000010000000003 usr1@mail.sustech.edu.cn usr@gmail.com "corrupt envelope"
	local dir=$T/data/exmail.qq.com/queue
	printf 'version\t1\nid\t00000000010000000003\nrcpt\tpending\tusr@gmail.com\x01\t\t\t\n' >"$dir/00000000010000000003.env"
	start_server exmail.qq.com
	grep -q 'relay started workers=2 queued=0' "$T/exmail.qq.com.log"
	grep -q 'relay queue-corrupt id="00000000010000000003" reason=unreadable moved=msg,env' "$T/exmail.qq.com.log"
	stop_one exmail.qq.com
	start_server exmail.qq.com
	[ -f "$dir/corrupt/00000000010000000003.msg" ]
	[ -f "$dir/corrupt/00000000010000000003.env" ]
	grep -q '^Subject: corrupt envelope' "$dir/corrupt/00000000010000000003.msg"
	[ ! -e "$dir/00000000010000000003.msg" ]
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
}

@test "a truncated message is quarantined, not sent; an envelope without message is set aside" {
	running gmail.com || start_server gmail.com
	stop_one exmail.qq.com
	local dir=$T/data/exmail.qq.com/queue now
	now=$(date +%s)
	printf 'From: <usr1@mail.sustech.edu.cn>\r\nSubject: cut short\r\n\r\nhalf\r\n' >"$dir/00000000010000000004.msg"
	printf 'version\t2\nid\t00000000010000000004\nsender\tusr1@mail.sustech.edu.cn\narrival\t%s\nattempts\t0\nnext\t%s\nsize\t5000\nrcpt\tpending\tusr@gmail.com\t\t\t\nend\n' \
		"$now" "$now" >"$dir/00000000010000000004.env"
	put_queued exmail.qq.com 00000000010000000005 usr1@mail.sustech.edu.cn usr@gmail.com "no message"
	rm "$dir/00000000010000000005.msg"
	start_server exmail.qq.com
	grep -q 'relay started workers=2 queued=0' "$T/exmail.qq.com.log"
	grep -q 'queue-corrupt id="00000000010000000004" reason=truncated moved=msg,env' "$T/exmail.qq.com.log"
	grep -q 'queue-corrupt id="00000000010000000005" reason=no-message moved=env' "$T/exmail.qq.com.log"
	[ -f "$dir/corrupt/00000000010000000004.msg" ]
	[ -f "$dir/corrupt/00000000010000000005.env" ]
	nap 0.5
	! grep -rlq '^Subject: cut short' "$T/data/gmail.com/mail"
}

# Issue 21: the queue became one file per message; what an older version left queued
# (<id>.msg with CRLF and <id>.env, version 1 or 2) is still sent after the upgrade.
@test "entries of the older two-file layout, version 1 and 2 envelopes, are delivered after the upgrade" {
	running gmail.com || start_server gmail.com
	stop_one exmail.qq.com
	local dir=$T/data/exmail.qq.com/queue size
	put_queued exmail.qq.com 00000000010000000006 usr1@mail.sustech.edu.cn usr@gmail.com "old layout v1"
	put_queued exmail.qq.com 00000000010000000007 usr1@mail.sustech.edu.cn usr@gmail.com "old layout v2"
	size=$(stat -c %s "$dir/00000000010000000007.msg")
	sed -i "s/^version\t1\$/version\t2/; s/^next\t\(.*\)\$/next\t\1\nsize\t$size/" "$dir/00000000010000000007.env"
	grep -q "^size	$size\$" "$dir/00000000010000000007.env"
	start_server exmail.qq.com
	wait_until 30 grep -q '^Subject: old layout v1' -r "$T/data/gmail.com/mail/usr@gmail.com/new"
	wait_until 30 grep -q '^Subject: old layout v2' -r "$T/data/gmail.com/mail/usr@gmail.com/new"
	for subject in "old layout v1" "old layout v2"; do
		[ "$(grep -rl "^Subject: $subject" "$T/data/gmail.com/mail/usr@gmail.com/new" | wc -l)" -eq 1 ]
		grep -qx 'queued by hand' "$(grep -rl "^Subject: $subject" "$T/data/gmail.com/mail/usr@gmail.com/new")"
	done
	wait_until 30 legacy_gone "$dir"
}

# legacy_gone DIR: no file of the two old-layout entries is left.
legacy_gone() { [ -z "$(find "$1" -maxdepth 1 -name '0000000001000000000[67].*')" ]; }
