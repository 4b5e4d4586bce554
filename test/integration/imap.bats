#!/usr/bin/env bats
# imap.bats - the IMAP side of mail-server through the real binary on loopback ports, with
# python3 imaplib: greeting and CAPABILITY, LOGIN only after STARTTLS, SELECT, FETCH, STORE,
# EXPUNGE, SEARCH, IDLE, UIDs and flags across a restart, the same bytes as POP3, the
# mailbox lock rule with POP3, and bad input. Messages are placed into the Maildirs
# directly (as pop3.bats does) or delivered through SMTP.

load ../lib/common
load ../lib/pop3
load ../lib/imap

setup_file() {
	common_setup_file
	imap_topology
	export S_IMAP=$(free_ports 1)
	cat >>"$CONF" <<YAML
  small.test:
    smtp: $S_SMTP
    pop: $S_POP
    imap: $S_IMAP
    limits:
      max_sessions: 1
      imap_timeout: 2s
    accounts:
      carol@small.test: carolpw
YAML
	start_imap_test
	start_bg small.test "$MAIL_BIN/mail-server" -n small.test --conf "$CONF" --data "$T/data" >/dev/null
	wait_port "$S_IMAP" 30 "$(pid_of small.test)"
}

teardown_file() { common_teardown_file; }

# reset_bob: bob@pop.test gets exactly three known messages and a fresh UID list.
reset_bob() {
	rm -rf "$MAILROOT/bob@pop.test"
	put_message bob@pop.test 1700000001.M1P1Q1 $'Subject: one\r\nFrom: Ann Example <ann@example.org>\r\nTo: bob@pop.test\r\nMessage-ID: <one@x>\r\n\r\nfirst\r\n'
	put_message bob@pop.test 1700000002.M1P1Q2 $'Subject: two\r\nFrom: carl@example.org\r\n\r\n.dot line\r\n'
	put_message bob@pop.test 1700000003.M1P1Q3 $'Subject: three\r\nFrom: ann@example.org\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\npart one\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>two</p>\r\n--b1--\r\n'
}

@test "greeting and CAPABILITY: STARTTLS offered, LOGIN refused before it, taken after" {
	run imap '
print(m.welcome.decode())
print(m.capability()[1][0].decode())
p = connect(tls=False)
print(p.capability()[1][0].decode())
try:
    login(p)
except imaplib.IMAP4.error as e:
    print("plain LOGIN:", e)
print(login(m)[1][0].decode())'
	assert_success
	assert_line --index 0 --regexp '^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*STARTTLS LOGINDISABLED\] pop.test IMAP server ready$'
	assert_line --index 1 --regexp '^IMAP4rev1 IMAP4rev2 .*IDLE.* AUTH=PLAIN$'
	assert_line --index 2 --regexp 'STARTTLS LOGINDISABLED$'
	assert_line --index 3 --partial "plain LOGIN: b'[PRIVACYREQUIRED] plaintext authentication disallowed"
	assert_line --index 4 --regexp '^\[CAPABILITY .*\] LOGIN completed$'
}

@test "imaplib: SELECT, FETCH FLAGS UID RFC822.SIZE BODY[], bytes equal the files and POP3's RETR" {
	reset_bob
	run imap '
login(m, "bob@pop.test", "bobpw")
typ, data = m.select("INBOX")
print(typ, data[0].decode())
typ, data = m.fetch("1:3", "(UID FLAGS RFC822.SIZE BODY.PEEK[])")
for n in (1, 2, 3):
    head, body = data[2 * (n - 1)]
    print(head.decode().split(" BODY")[0], "equal:", body == content("bob@pop.test", n), "size right:", ("RFC822.SIZE %d " % len(body)) in head.decode())
p = poplib.POP3("127.0.0.1", pop_port, timeout=10); p.stls(insecure); p.user("bob@pop.test"); p.pass_("bobpw")
print("POP3 RETR equal to IMAP BODY[]:", all(b"".join(l + b"\r\n" for l in p.retr(n)[1]) == data[2 * (n - 1)][1] for n in (1, 2, 3)))
p.quit()
print(m.fetch("1", "(FLAGS)")[1][0].decode())
print(m.fetch("2", "(BODY[TEXT])")[1][0][1])
print(m.fetch("2", "(FLAGS)")[1][0].decode())
print(m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])")[1][0][1])
print(m.fetch("1", "(ENVELOPE)")[1][0].decode())
print(m.fetch("3", "(BODYSTRUCTURE)")[1][0].decode())
print(m.fetch("3", "(BODY.PEEK[2] BODY.PEEK[1]<0.4>)")[1])
m.logout()'
	assert_success
	assert_output - <<'EOF'
OK 3
1 (UID 1 FLAGS () RFC822.SIZE 99 equal: True size right: True
2 (UID 2 FLAGS () RFC822.SIZE 51 equal: True size right: True
3 (UID 3 FLAGS () RFC822.SIZE 199 equal: True size right: True
POP3 RETR equal to IMAP BODY[]: True
1 (FLAGS ())
b'.dot line\r\n'
2 (FLAGS (\Seen))
b'Subject: one\r\nFrom: Ann Example <ann@example.org>\r\n\r\n'
1 (ENVELOPE (NIL "one" (("Ann Example" NIL "ann" "example.org")) (("Ann Example" NIL "ann" "example.org")) (("Ann Example" NIL "ann" "example.org")) ((NIL NIL "bob" "pop.test")) NIL NIL NIL "<one@x>"))
3 (BODYSTRUCTURE (("text" "plain" ("CHARSET" "us-ascii") NIL NIL "7BIT" 8 1 NIL NIL NIL NIL)("text" "html" ("CHARSET" "utf-8") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL) "mixed" ("BOUNDARY" "b1") NIL NIL NIL))
[(b'3 (BODY[2] {10}', b'<p>two</p>'), (b' BODY[1]<0> {4}', b'part'), b')']
EOF
}

@test "STORE flags are Maildir flags; flags, UIDs and UIDVALIDITY survive a restart" {
	reset_bob
	run imap '
login(m, "bob@pop.test", "bobpw")
m.select("INBOX")
print(m.response("UIDVALIDITY")[1][0].decode() == open(os.path.join(root, "bob@pop.test", "imap-uids")).read().split()[2])
print(m.store("1", "+FLAGS", "(\\Seen \\Flagged)")[1][0].decode())
print(m.uid("STORE", "3", "+FLAGS", "(\\Answered)")[1][0].decode())
print(m.store("1", "-FLAGS", "(\\Flagged)")[1][0].decode())
print(sorted(os.path.basename(f).split(":", 1)[1] for f in files("bob@pop.test") if ":" in f))
print(m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")[1][0].decode())'
	assert_success
	assert_output - <<'EOF'
True
1 (FLAGS (\Seen \Flagged))
3 (UID 3 FLAGS (\Answered))
1 (FLAGS (\Seen))
['2,R', '2,S']
INBOX (MESSAGES 3 UNSEEN 2 UIDNEXT 4)
EOF
	validity=$(awk 'NR == 1 { print $3 }' "$MAILROOT/bob@pop.test/imap-uids")
	stop_one pop.test
	start_imap_test
	run imap '
login(m, "bob@pop.test", "bobpw")
m.select("INBOX")
print(m.response("UIDVALIDITY")[1][0].decode())
print([x.decode() for x in m.fetch("1:3", "(UID FLAGS)")[1]])'
	assert_success
	assert_output - <<EOF
$validity
['1 (UID 1 FLAGS (\\\\Seen))', '2 (UID 2 FLAGS ())', '3 (UID 3 FLAGS (\\\\Answered))']
EOF
}

@test "EXPUNGE and UID EXPUNGE remove \\Deleted files; CLOSE expunges, UNSELECT does not" {
	reset_bob
	run imap '
login(m, "bob@pop.test", "bobpw")
m.select("INBOX")
m.store("1", "+FLAGS", "\\Deleted"); m.store("3", "+FLAGS", "\\Deleted")
print(m.uid("EXPUNGE", "3"))
print(len(files("bob@pop.test")), m.fetch("1:*", "(UID)")[1])
print(m.expunge())
print(len(files("bob@pop.test")))
m.store("1", "+FLAGS", "\\Deleted")
m.unselect()
print(len(files("bob@pop.test")))
m.select("INBOX"); m.close()
print(len(files("bob@pop.test")))'
	assert_success
	assert_output - <<'EOF'
('OK', [None])
2 [b'1 (UID 1)', b'2 (UID 2)']
('OK', [b'3', b'1'])
1
1
0
EOF
}

@test "SEARCH and UID SEARCH: ALL UNSEEN FROM SUBJECT SINCE UID, NOT, OR" {
	reset_bob
	run imap '
login(m, "bob@pop.test", "bobpw")
m.select("INBOX")
m.store("2", "+FLAGS", "\\Seen")
for q in ("ALL", "UNSEEN", "FROM ann", "SUBJECT two", "SINCE 1-Jan-2020", "BEFORE 1-Jan-2020", "UID 2:*", "NOT FROM ann", "OR SUBJECT one SUBJECT three", "2:3 UNSEEN"):
    print(q, "->", m.search(None, q)[1][0].decode())
print("UID", m.uid("SEARCH", "FROM", "carl")[1][0].decode())
try:
    m.search(None, "FRUM x")
except imaplib.IMAP4.error as e:
    print(e)'
	assert_success
	assert_output - <<'EOF'
ALL -> 1 2 3
UNSEEN -> 1 3
FROM ann -> 1 3
SUBJECT two -> 2
SINCE 1-Jan-2020 -> 1 2 3
BEFORE 1-Jan-2020 -> 
UID 2:* -> 2 3
NOT FROM ann -> 2
OR SUBJECT one SUBJECT three -> 1 3
2:3 UNSEEN -> 3
UID 2
SEARCH command error: BAD [b'unknown search key FRUM']
EOF
}

@test "IDLE: a message delivered by SMTP reaches the client within a second" {
	run imap '
login(m)
m.select("INBOX")
before = int(m.response("EXISTS")[1][-1])
tag = m._new_tag().decode()
m.send(("%s IDLE\r\n" % tag).encode())
print(m.readline().decode().strip())
send("while idling")
start = time.time()
line = m.readline().decode().strip()
print(line == "* %d EXISTS" % (before + 1), time.time() - start <= 1.0)
m.send(b"DONE\r\n")
print(m.readline().decode().strip() == "%s OK IDLE terminated" % tag)
print(m.fetch(str(before + 1), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1][0][1])'
	assert_success
	assert_output - <<'EOF'
+ idling
True True
True
b'Subject: while idling\r\n\r\n'
EOF
}

@test "the POP3 lock rule: while POP3 has the mailbox IMAP reads but changes get NO [INUSE]" {
	reset_bob
	run imap '
login(m, "bob@pop.test", "bobpw")
m.select("INBOX")
p = poplib.POP3("127.0.0.1", pop_port, timeout=10); p.stls(insecure); p.user("bob@pop.test"); p.pass_("bobpw")
print(m.fetch("1", "(BODY.PEEK[])")[1][0][1] == content("bob@pop.test", 1))
print(m.store("1", "+FLAGS", "\\Seen"))
p.dele(1); p.quit()
print(m.noop())
print(m.fetch("1:*", "(UID)")[1])'
	assert_success
	assert_output - <<'EOF'
True
('NO', [b'[INUSE] mailbox is in use by a POP3 session, try again later'])
('OK', [b'NOOP completed'])
[b'1 (UID 2)', b'2 (UID 3)']
EOF
}

@test "bad input gets BAD and the session goes on; a literal over the limit is refused" {
	run python3 - "$P_IMAP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
f.readline()
for line in (b"\r\n", b"a1\r\n", b"a2 FROB\r\n", b"a3 LOGIN\r\n", b"a4 SELECT INBOX\r\n", b"a5 LOGIN \"x\r\n",
             b"a6 FETCH 1 (((((((((((((((((((((FLAGS)))))))))))))))))))))\r\n", b"a7 LOGIN {99999999}\r\n",
             b"a8 " + b"X" * 9000 + b"\r\n", b"a9 NOOP\r\n"):
    s.sendall(line)
    print(f.readline().decode().strip()[:60])
PY
	assert_success
	assert_output - <<'EOF'
* BAD missing or bad tag
a1 BAD missing command
a2 BAD unknown command "FROB"
a3 BAD LOGIN needs a user name and a password
a4 BAD SELECT not allowed in the NOT-AUTHENTICATED state
a5 BAD unterminated quoted string
a6 BAD lists nested too deeply
* BAD [LIMIT] literal too large (at most 65536 octets in a c
* BAD command line too long (at most 8192 octets)
a9 OK NOOP completed
EOF
}

@test "CREATE is refused cleanly; LIST and LSUB show INBOX; other mailboxes do not exist" {
	run imap '
login(m)
print(m.create("Archive"))
print(m.list())
print(m.lsub())
print(m.select("Archive"))
print(m.status("INBOX", "(MESSAGES)")[0])'
	assert_success
	assert_output - <<'EOF'
('NO', [b'[CANNOT] CREATE not supported: this server keeps one mailbox, INBOX, filled by SMTP delivery'])
('OK', [b'(\\HasNoChildren) "/" INBOX'])
('OK', [b'(\\HasNoChildren) "/" INBOX'])
('NO', [b'[NONEXISTENT] no such mailbox; this server has only INBOX'])
OK
EOF
}

@test "limits: over max_sessions a BYE before any greeting; imap_timeout closes an idle session" {
	run timeout 30 python3 - "$S_IMAP" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
first = socket.create_connection(("127.0.0.1", port), timeout=10).makefile("rb")
print(first.readline().decode().strip()[:4])
second = socket.create_connection(("127.0.0.1", port), timeout=10).makefile("rb")
print(second.readline().decode().strip())
start = time.time()
print(first.readline().decode().strip(), 1.0 < time.time() - start < 10)
PY
	assert_success
	assert_output - <<'EOF'
* OK
* BYE [UNAVAILABLE] too many connections, try again later
* BYE idle for too long, closing connection True
EOF
}

@test "config: imap and imaps ports are checked; imaps without tls: is refused (exit 78)" {
	sed -e "s/^    imap: $S_IMAP\$/    imaps: $S_IMAP/" "$CONF" >"$T/bad.yaml"
	run "$MAIL_BIN/mail-server" --check --conf "$T/bad.yaml"
	[ "$status" -eq 78 ]
	assert_output --partial "servers.small.test.imaps: implicit TLS needs tls.cert and tls.key"
	sed -e "s/^    imap: $S_IMAP\$/    imap: $S_POP/" "$CONF" >"$T/bad.yaml"
	run "$MAIL_BIN/mail-server" --check --conf "$T/bad.yaml"
	[ "$status" -eq 78 ]
	assert_output --partial "already used by servers.small.test.pop"
}

@test "journal: imap.login, imap.fetch (with the Message-ID, as a POP3 RETR) and imap.expunge" {
	reset_bob
	run imap '
login(m, "bob@pop.test", "bobpw")
m.select("INBOX")
m.fetch("1", "(BODY.PEEK[])")
m.store("1", "+FLAGS", "\\Deleted")
m.expunge()
m.logout()'
	assert_success
	local events=$T/data/pop.test/events.jsonl i
	for ((i = 0; i < 300; i++)); do grep -q '"type":"imap.expunge"' "$events" 2>/dev/null && break; nap 0.1; done
	run grep -c '"type":"imap.login".*"user":"bob@pop.test".*"mechanism":"LOGIN".*"ok":true' "$events"
	assert_output --regexp '^[1-9]'
	grep '"type":"imap.fetch"' "$events" | grep -q '"message_id":"<one@x>"'
	grep '"type":"imap.expunge"' "$events" | grep -q '1700000001.M1P1Q1.pop.test'
	grep -q '"type":"session.open".*"protocol":"imap"' "$events"
}

@test "after login LOGIN and STARTTLS get BAD; a partial beyond 32 bits gets BAD, not a crash" {
	run imap '
login(m)
m.select("INBOX")
for line in (b"x1 LOGIN bob@pop.test bobpw", b"x2 STARTTLS", b"x3 FETCH 1 BODY.PEEK[]<99999999999999999999.1>"):
    m.send(line + b"\r\n")
    print(m.readline().decode().strip()[:50])
print(m.noop()[0])'
	assert_success
	assert_output - <<'EOF'
x1 BAD LOGIN not allowed: already authenticated
x2 BAD STARTTLS not allowed: already authenticated
x3 BAD FETCH needs a set and data items (FLAGS UID
OK
EOF
}
