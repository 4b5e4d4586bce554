#!/usr/bin/env bats
# pop3_smtp.bats - mail delivered through SMTP (python smtplib, swaks) and read back over
# POP3 from the same mail-server with python poplib (as the course agent uses it), curl
# and mpop: the retrieved bytes are the stored file, which is what was sent plus the
# Return-Path:/Received: trace headers. Also 100 concurrent sessions over 100 users x 10
# messages delivered through SMTP, checksummed against what was sent (the volume, 100 x
# 100 and more, is make bench's pop3 part: here it is the concurrency over many mailboxes).

load ../lib/common
load ../lib/pop3

setup_file() {
	common_setup_file
	pop3_topology
	start_pop_test
}

teardown_file() { common_teardown_file; }

# smtp_send TO FILE...: python smtplib as the course agent sends (ehlo, mail, rcpt, data,
# quit), from bob@pop.test, each FILE as one message.
smtp_send() {
	python3 - "$P_SMTP" "$@" <<'PY'
import smtplib, sys
port, to, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
s = smtplib.SMTP("127.0.0.1", port, timeout=10)
s.ehlo("agent.example")
for f in files:
    s.sendmail("bob@pop.test", [to], open(f, "rb").read())
s.quit()
PY
}

# three_messages: writes $T/m1 $T/m2 $T/m3 (CRLF; dots, an empty body line, UTF-8, a long line).
# Each has Date: and Message-ID:, so the local submission stores it as sent.
three_messages() {
	local dm='Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m@pop.test>\r\n'
	printf "${dm}From: bob@pop.test\r\nTo: alice@pop.test\r\nSubject: one\r\n\r\nfirst message\r\n" >"$T/m1"
	printf "${dm}From: bob@pop.test\r\nTo: alice@pop.test\r\nSubject: two\r\n\r\n.leading dot\r\n..two\r\n\r\n.\r\nend\r\n" >"$T/m2"
	{
		printf "${dm}"
		printf 'From: bob@pop.test\r\nTo: alice@pop.test\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n'
		printf 'Content-Type: text/plain; charset=utf-8\r\n\r\ncaf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd\r\n%s\r\n' "$(printf 'x%.0s' $(seq 1 900))"
	} >"$T/m3"
}

# empty_alice: removes alice's messages (not the Maildir, which the server's store keeps
# track of).
empty_alice() {
	rm -f "$MAILROOT"/alice@pop.test/new/* "$MAILROOT"/alice@pop.test/cur/*
}

# fresh_alice: an empty mailbox for alice, then m1 m2 m3 delivered through SMTP in order.
fresh_alice() {
	empty_alice
	three_messages
	smtp_send alice@pop.test "$T/m1" "$T/m2" "$T/m3"
	[ "$(maildir_count alice@pop.test)" -eq 3 ]
}

@test "poplib as the course agent uses it reads what smtplib delivered, byte for byte" {
	fresh_alice
	run python3 - "$P_POP" "$MAILROOT/alice@pop.test" "$T" <<'PY'
import glob, os, poplib, re, sys
port, box, t = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# the stored files as sent: each LF of a Maildir file is a CRLF on the wire
stored = [open(f, "rb").read().replace(b"\n", b"\r\n") for f in sorted(glob.glob(box + "/new/*"), key=lambda f: (int(f.split("/")[-1].split(".")[0]), int(re.match(r"[0-9]+", f.split("/")[-1].split(".M")[1]).group())))]
sent = [open("%s/m%d" % (t, n), "rb").read() for n in (1, 2, 3)]
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user("alice@pop.test"); print("PASS", p.pass_("alice pw").decode())
count, size = p.stat(); print("STAT", count, "messages; size is the sum of the files:", size == sum(map(len, stored)))
resp, listing, _ = p.list()
print("LIST sizes are the file sizes:", [int(l.split()[1]) for l in listing] == [len(s) for s in stored])
for n in (1, 2, 3):
    resp, lines, octets = p.retr(n)
    got = b"".join(l + b"\r\n" for l in lines)
    print("RETR", n, "is the file:", got == stored[n - 1], "ends with what was sent:", got.endswith(sent[n - 1]),
          "starts with Return-Path and Received:", got.startswith(b"Return-Path: <bob@pop.test>\r\nReceived: "))
print("DELE 2", p.dele(2).decode()); print("RSET", p.rset().decode()); print("NOOP", p.noop().decode()); print("QUIT", p.quit().decode()[:3])
PY
	assert_success
	assert_output - <<EOF
PASS +OK maildrop has 3 messages ($(alice_octets) octets)
STAT 3 messages; size is the sum of the files: True
LIST sizes are the file sizes: True
RETR 1 is the file: True ends with what was sent: True starts with Return-Path and Received: True
RETR 2 is the file: True ends with what was sent: True starts with Return-Path and Received: True
RETR 3 is the file: True ends with what was sent: True starts with Return-Path and Received: True
DELE 2 +OK message 2 deleted
RSET +OK maildrop has 3 messages ($(alice_octets) octets)
NOOP +OK
QUIT +OK
EOF
	[ "$(maildir_count alice@pop.test)" -eq 3 ]
}

@test "curl lists and retrieves /N: the stored bytes, ending with what swaks sent" {
	empty_alice
	three_messages
	swaks --server "127.0.0.1:$P_SMTP" -f bob@pop.test -t alice@pop.test --data @"$T/m2" >/dev/null
	run curl -sS --max-time 10 "pop3://alice%40pop.test:alice%20pw@127.0.0.1:$P_POP/"
	[ "$status" -eq 0 ]
	local stored
	stored=$(ls "$MAILROOT"/alice@pop.test/new/*)
	# LIST and RETR: the stored file with CRLF line ends (Maildir files hold LF)
	sed 's/$/\r/' "$stored" >"$T/stored.crlf"
	[ "$(printf '%s' "$output" | tr -d '\r')" = "1 $(stat -c %s "$T/stored.crlf")" ]
	curl -sS --max-time 10 -o "$T/curl.1" "pop3://alice%40pop.test:alice%20pw@127.0.0.1:$P_POP/1"
	cmp "$T/curl.1" "$T/stored.crlf"
	# swaks adds CRLF before its final "."; the rest is the file as sent
	printf '\r\n' | cat "$T/m2" - >"$T/m2.swaks"
	python3 -c 'import sys; a, b = (open(f, "rb").read() for f in sys.argv[1:]); sys.exit(0 if a.endswith(b) else 1)' "$T/curl.1" "$T/m2.swaks"
}

@test "mpop retrieves everything smtplib delivered into a local Maildir" {
	fresh_alice
	rm -rf "$T/mpop" && mkdir -p "$T/mpop/new" "$T/mpop/cur" "$T/mpop/tmp"
	run mpop --host=127.0.0.1 --port="$P_POP" --tls=off --auth=user --user=alice@pop.test \
		--passwordeval="echo 'alice pw'" --delivery="maildir,$T/mpop" --keep=on --only-new=off \
		--received-header=off --timeout=10
	[ "$status" -eq 0 ]
	[ "$(ls "$T/mpop/new" | wc -l)" -eq 3 ]
	# mpop stores LF line ends; each fetched message is a stored one, CRLF -> LF.
	local f want got
	want=$(for f in "$MAILROOT"/alice@pop.test/new/*; do tr -d '\r' <"$f" | sha256sum; done | sort)
	got=$(for f in "$T"/mpop/new/*; do sha256sum <"$f"; done | sort)
	[ "$got" = "$want" ]
	for f in 1 2 3; do grep -rqF "$(sed -n 5p "$T/m$f" | tr -d '\r')" "$T/mpop/new"; done
}

@test "DELE then QUIT removes delivered mail; mail delivered during a session shows next time" {
	fresh_alice
	run python3 - "$P_POP" "$P_SMTP" <<'PY'
import poplib, smtplib, sys
pop, smtp = int(sys.argv[1]), int(sys.argv[2])
p = poplib.POP3("127.0.0.1", pop, timeout=10); p.user("alice@pop.test"); p.pass_("alice pw")
p.dele(1)
s = smtplib.SMTP("127.0.0.1", smtp, timeout=10); s.ehlo("x")
s.sendmail("bob@pop.test", ["alice@pop.test"], b"Subject: late\r\n\r\nlate\r\n"); s.quit()
print("after DELE 1 and a delivery: STAT", p.stat()[0], "messages"); print("QUIT", p.quit().decode()[:3])
q = poplib.POP3("127.0.0.1", pop, timeout=10); q.user("alice@pop.test"); q.pass_("alice pw")
print("next session: STAT", q.stat()[0], "messages"); print("RETR 3 is the late one:", b"".join(q.retr(3)[1]).endswith(b"late")); q.quit()
PY
	assert_success
	assert_output - <<'EOF'
after DELE 1 and a delivery: STAT 2 messages
QUIT +OK
next session: STAT 3 messages
RETR 3 is the late one: True
EOF
}

@test "100 concurrent sessions over 100 users x 10 messages delivered through SMTP: all intact" {
	run timeout 200 python3 "$POP3_LOAD" send 127.0.0.1 "$P_SMTP" 100 10 "$T/manifest.json" --sessions 20
	assert_success
	assert_output --partial '"messages": 1000,'
	run timeout 200 python3 "$POP3_LOAD" fetch 127.0.0.1 "$P_POP" "$T/manifest.json" --sessions 100
	assert_success
	assert_output --partial '"logins": 100, "messages": 1000,'
	assert_output --partial '"errors": []'
}

@test "the server log has no error" {
	! grep -qE '\[(Error|Critical|Fatal)\]' "$T/pop.test.log"
}
