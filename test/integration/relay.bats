#!/usr/bin/env bats
# relay.bats - mail relayed between providers through mail-dns (SPEC.md "Mail behaviour"):
# delivery within a second, per-recipient outcomes, DSNs for unknown users, unknown
# domains and mail loops, waiting in the queue while the destination is down, and
# falling back to the secondary MX. Three providers on free loopback ports, retries 1s, 2s.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	local ports
	ports=($(free_ports 3))
	export BK_SMTP=${ports[0]} BK_POP=${ports[1]} DOWN_PORT=${ports[2]}
	# backup.example serves two.example; two.example's primary MX points at a closed port.
	EXTRA_SERVERS="  backup.example:
    smtp: $BK_SMTP
    pop: $BK_POP
    accounts:
      bob@two.example: bobpw" EXTRA_RELAY="  max_hops: 8" make_topology \
		"two.example 10 mx1.two.example $DOWN_PORT" \
		"two.example 20 mx2.two.example $BK_SMTP"
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
	start_server backup.example
}

teardown_file() { common_teardown_file; }

# Every test starts with all three providers up, whatever the one before did.
setup() {
	local name
	for name in exmail.qq.com gmail.com backup.example; do
		running "$name" || start_server "$name"
	done
}

@test "relayed mail arrives in the destination Maildir within 1 second" {
	local before took
	before=$(maildir_count usr@gmail.com gmail.com)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "fast one" usr@gmail.com
	took=$(wait_count usr@gmail.com gmail.com $((before + 1)) 30)
	echo "# delivered in ${took} ms" >&3
	# within a second comes from sending at once, on the first attempt (no retry wait, no
	# queue scan): that is checked exactly; the measured time gets room for a loaded machine
	wait_log exmail.qq.com 'relay delivered to=<usr@gmail.com> .* attempts=1 ' 30
	[ "$took" -lt 3000 ]
	mailbox_text usr@gmail.com gmail.com | grep -q '^Subject: fast one'
	# exactly one copy, one Return-Path (added by the final server, not carried along)
	[ "$(mailbox_text usr@gmail.com gmail.com | grep -c '^Subject: fast one')" -eq 1 ]
	[ "$(mailbox_text usr@gmail.com gmail.com | grep -c '^Return-Path:')" -eq "$((before + 1))" ]
	mailbox_text usr@gmail.com gmail.com | grep -q '^\.\.*a line starting with a dot' # dot-stuffing undone
	grep -q 'relay delivered to=<usr@gmail.com>' "$T/exmail.qq.com.log"
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
}

@test "an unknown remote user gets the sender a DSN with Final-Recipient and a 5.x.x Status" {
	local before dsn
	before=$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "to nobody" error@gmail.com
	wait_count usr1@mail.sustech.edu.cn exmail.qq.com $((before + 1)) 30 >/dev/null
	dsn=$(mailbox_text usr1@mail.sustech.edu.cn exmail.qq.com)
	grep -q '^From: Mail Delivery System <MAILER-DAEMON@mail.sustech.edu.cn>' <<<"$dsn"
	grep -q '^Return-Path: <>' <<<"$dsn"
	grep -q '^Content-Type: multipart/report; report-type=delivery-status' <<<"$dsn"
	grep -q '^Content-Type: message/delivery-status' <<<"$dsn"
	grep -q '^Reporting-MTA: dns; exmail.qq.com' <<<"$dsn"
	grep -q '^Final-Recipient: rfc822; error@gmail.com' <<<"$dsn"
	grep -q '^Action: failed' <<<"$dsn"
	grep -qE '^Status: 5\.[0-9]{1,3}\.[0-9]{1,3}' <<<"$dsn"
	grep -q '^Remote-MTA: dns; gmail-smtp-in.l.google.com' <<<"$dsn"
	grep -qE '^Diagnostic-Code: smtp; 55[0-9] ' <<<"$dsn"
	grep -q '^Content-Type: text/rfc822-headers' <<<"$dsn"
	grep -q '^Subject: to nobody' <<<"$dsn"
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
}

@test "an unresolvable domain gets the sender a DSN with Status 5.1.2" {
	local before dsn
	before=$(maildir_count usr2@mail.sustech.edu.cn exmail.qq.com)
	send_mail "127.0.0.1:$EX_SMTP" usr2@mail.sustech.edu.cn "to nowhere" someone@no-such-domain.invalid
	wait_count usr2@mail.sustech.edu.cn exmail.qq.com $((before + 1)) 30 >/dev/null
	dsn=$(mailbox_text usr2@mail.sustech.edu.cn exmail.qq.com)
	grep -q '^Final-Recipient: rfc822; someone@no-such-domain.invalid' <<<"$dsn"
	grep -q '^Status: 5.1.2' <<<"$dsn"
	grep -q '^Diagnostic-Code: X-mail; Host or domain name not found' <<<"$dsn"
}

@test "one transaction, mixed outcomes: the good recipient gets it, only the bad one bounces" {
	local before_usr before_dsn dsn
	before_usr=$(maildir_count usr@gmail.com gmail.com)
	before_dsn=$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "mixed bag" usr@gmail.com error@gmail.com
	wait_count usr@gmail.com gmail.com $((before_usr + 1)) 30 >/dev/null
	wait_count usr1@mail.sustech.edu.cn exmail.qq.com $((before_dsn + 1)) 30 >/dev/null
	dsn=$(grep -l '^Subject: mixed bag' "$T"/data/exmail.qq.com/mail/usr1@mail.sustech.edu.cn/new/*)
	grep -q '^Final-Recipient: rfc822; error@gmail.com' "$dsn"
	! grep -q '^Final-Recipient: rfc822; usr@gmail.com' "$dsn"
	# both recipients went in one SMTP session of the relay: the session that refused
	# error@gmail.com is the one that accepted the message
	local session
	session=$(grep -a 'reject code=550 .*<error@gmail.com>' "$T/gmail.com.log" | tail -n 1 | awk '{ print $5 }')
	[ -n "$session" ]
	grep -aqE "$session accepted id=[0-9a-f]+ from=<usr1@mail.sustech.edu.cn> rcpts=1 local=1 remote=0 size=[0-9]+ maildir=" "$T/gmail.com.log"
}

@test "destination down: the message waits in the queue and arrives within one retry interval of its start" {
	local before took
	stop_one gmail.com
	before=$(maildir_count usr@gmail.com gmail.com)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "while down" usr@gmail.com
	wait_log exmail.qq.com 'relay deferred to=<usr@gmail.com>.*Connection refused' 30
	[ "$(queue_count exmail.qq.com)" -eq 1 ]
	[ "$(maildir_count usr@gmail.com gmail.com)" -eq "$before" ]
	start_server gmail.com
	# relay.retry is [1s, 2s]: the longest wait is 2 s
	took=$(wait_count usr@gmail.com gmail.com $((before + 1)) 30)
	echo "# arrived ${took} ms after the destination's port opened" >&3
	# the 2 s retry came (a missed one would make it 4 s or more), with room for a loaded machine
	[ "$took" -lt 3900 ]
	for _ in $(seq 1 600); do [ "$(queue_count exmail.qq.com)" -eq 0 ] && break; nap 0.05; done
	[ "$(queue_count exmail.qq.com)" -eq 0 ]
}

@test "two MX records with the primary down: delivered through the secondary" {
	local before
	before=$(maildir_count bob@two.example backup.example)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "via secondary" bob@two.example
	wait_count bob@two.example backup.example $((before + 1)) 30 >/dev/null
	grep -q "exchanger-unusable relay=mx1.two.example\[127.0.0.1\]:$DOWN_PORT" "$T/exmail.qq.com.log"
	# the secondary stores the message before its 250 reaches the relay, which logs after it
	wait_log exmail.qq.com "relay delivered to=<bob@two.example> relay=mx2.two.example\[127.0.0.1\]:$BK_SMTP" 30
}

@test "a mail loop (more Received: headers than relay.max_hops) is bounced with 5.4.6" {
	local before dsn
	before=$(maildir_count usr2@mail.sustech.edu.cn exmail.qq.com)
	python3 - "$EX_SMTP" <<'PY'
import smtplib, sys
hops = "".join("Received: from hop%d by hop%d; Sun, 22 Nov 2026 00:00:00 +0000\r\n" % (i, i + 1) for i in range(8))
msg = hops + "From: usr2@mail.sustech.edu.cn\r\nTo: usr@gmail.com\r\nSubject: looping\r\n\r\nround and round\r\n"
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), "relay-test", timeout=10) as s:
    s.sendmail("usr2@mail.sustech.edu.cn", ["usr@gmail.com"], msg)
PY
	wait_count usr2@mail.sustech.edu.cn exmail.qq.com $((before + 1)) 30 >/dev/null
	dsn=$(grep -l '^Subject: looping' "$T"/data/exmail.qq.com/mail/usr2@mail.sustech.edu.cn/new/*)
	grep -q '^Status: 5.4.6' "$dsn"
	grep -q '^Final-Recipient: rfc822; usr@gmail.com' "$dsn"
	grep -q 'mail forwarding loop' "$dsn"
	! mailbox_text usr@gmail.com gmail.com | grep -q '^Subject: looping'
}

@test "a bounce from the other direction reaches a user of the other provider" {
	local before dsn
	before=$(maildir_count usr@gmail.com gmail.com)
	send_mail "127.0.0.1:$GM_SMTP" usr@gmail.com "to a ghost" ghost@mail.sustech.edu.cn
	wait_count usr@gmail.com gmail.com $((before + 1)) 30 >/dev/null
	dsn=$(grep -l '^Subject: to a ghost' "$T"/data/gmail.com/mail/usr@gmail.com/new/*)
	grep -q '^From: Mail Delivery System <MAILER-DAEMON@gmail.com>' "$dsn"
	grep -q '^Final-Recipient: rfc822; ghost@mail.sustech.edu.cn' "$dsn"
	grep -q '^Remote-MTA: dns; mxbiz1.qq.com' "$dsn"
}

@test "the relay logs no errors" {
	! grep -aE '\[(Error|Critical|Fatal)\]' "$T/exmail.qq.com.log" "$T/gmail.com.log" "$T/backup.example.log"
}
