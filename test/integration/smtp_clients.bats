#!/usr/bin/env bats
# smtp_clients.bats - swaks, curl and python smtplib deliver through the real mail-server;
# the stored message is what was sent plus the trace headers.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	start_server exmail.qq.com
}

teardown_file() { common_teardown_file; }

# newest_message ADDRESS: path of the newest file in the mailbox's new/
newest_message() {
	ls -t "$T"/data/exmail.qq.com/mail/"$1"/new/* | head -1
}

# strip_trace FILE: the message without the Return-Path: and Received: headers we add,
# with the CRLF line ends it had on the wire (Maildir files hold LF)
strip_trace() {
	python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
assert b'\r' not in data, data[:200]
data = data.replace(b'\n', b'\r\n')
assert data.startswith(b'Return-Path: <'), data[:60]
rest = data.split(b'\r\n', 1)[1]
assert rest.startswith(b'Received: from '), rest[:60]
lines = rest.split(b'\r\n')
i = 1
while lines[i].startswith(b'\t'): i += 1
sys.stdout.buffer.write(b'\r\n'.join(lines[i:]))
PY
}

@test "swaks delivers and the body is stored byte-exact" {
	# with Date: and Message-ID: (else a local submission gets them added)
	printf 'Subject: swaks\r\nX-Test: 1\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <s@x>\r\n\r\nline one\r\n.leading dot\r\n' >"$T/swaks.eml"
	run swaks --server 127.0.0.1:$EX_SMTP -f usr1@mail.sustech.edu.cn -t usr2@mail.sustech.edu.cn --data "$T/swaks.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"250 2.0.0 Ok: queued as"* ]]
	f=$(newest_message usr2@mail.sustech.edu.cn)
	strip_trace "$f" >"$T/swaks.got"
	# swaks always sends CRLF before the final ".", so the message gains one empty line
	printf '\r\n' | cat "$T/swaks.eml" - | cmp - "$T/swaks.got"
	head -1 "$f" | grep -q '^Return-Path: <usr1@mail.sustech.edu.cn>'
	# the Maildir name carries the file size (S=) and the RFC 1939 size, with CRLF (W=)
	[[ "$f" == *",S=$(stat -c %s "$f"),W=$(($(stat -c %s "$f") + $(wc -l <"$f")))" ]]
}

@test "curl smtp:// delivers" {
	before=$(maildir_count usr1@mail.sustech.edu.cn)
	printf 'From: usr2@mail.sustech.edu.cn\r\nTo: usr1@mail.sustech.edu.cn\r\nSubject: curl\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <c@x>\r\n\r\nhello from curl\r\n' >"$T/curl.eml"
	run curl -sS --max-time 20 "smtp://127.0.0.1:$EX_SMTP" --mail-from usr2@mail.sustech.edu.cn \
		--mail-rcpt usr1@mail.sustech.edu.cn --upload-file "$T/curl.eml"
	[ "$status" -eq 0 ]
	[ "$(maildir_count usr1@mail.sustech.edu.cn)" -eq $((before + 1)) ]
	strip_trace "$(newest_message usr1@mail.sustech.edu.cn)" >"$T/curl.got"
	cmp "$T/curl.eml" "$T/curl.got"
}

@test "python smtplib as the course agent uses it (ehlo, mail size=N, rcpt, data, quit after 3 s)" {
	run python3 - "$EX_SMTP" "$T/py.eml" <<'PY'
import smtplib, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
msg = b"From: usr1@mail.sustech.edu.cn\r\nTo: usr2@mail.sustech.edu.cn\r\nSubject: py\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <p@x>\r\n\r\n\xe4\xbd\xa0\xe5\xa5\xbd 8-bit body\r\n"
open(out, 'wb').write(msg)
s = smtplib.SMTP('127.0.0.1', port, timeout=20)
code, _ = s.ehlo('agent.local'); assert code == 250
code, r = s.mail('usr1@mail.sustech.edu.cn', ['size=%d' % len(msg)]); assert code == 250, r
code, r = s.rcpt('usr2@mail.sustech.edu.cn'); assert code == 250, r
code, r = s.data(msg); assert code == 250, r
time.sleep(3)
code, _ = s.quit(); assert code == 221
print("sent")
PY
	[ "$status" -eq 0 ]
	[[ "$output" == *sent* ]]
	strip_trace "$(newest_message usr2@mail.sustech.edu.cn)" >"$T/py.got"
	cmp "$T/py.eml" "$T/py.got"
}

@test "one message to two local recipients is stored once per mailbox (hard link)" {
	run swaks --server 127.0.0.1:$EX_SMTP -f usr1@mail.sustech.edu.cn \
		-t usr2@mail.sustech.edu.cn,USR1@MAIL.SUSTECH.EDU.CN --header 'Subject: two'
	[ "$status" -eq 0 ]
	f=$(newest_message usr2@mail.sustech.edu.cn)
	grep -q 'Subject: two' "$f"
	[ "$(stat -c %h "$f")" -eq 2 ]
	cmp "$f" "$(newest_message usr1@mail.sustech.edu.cn)"
	[ -z "$(find "$T"/data/exmail.qq.com/mail/*/tmp -type f)" ]
}

@test "foreign sender delivers to a local account" {
	run swaks --server 127.0.0.1:$EX_SMTP -f someone@elsewhere.example -t usr1@mail.sustech.edu.cn --header 'Subject: foreign'
	[ "$status" -eq 0 ]
	grep -q 'Subject: foreign' "$(newest_message usr1@mail.sustech.edu.cn)"
}
