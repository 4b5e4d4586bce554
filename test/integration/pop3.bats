#!/usr/bin/env bats
# pop3.bats - the POP3 side of mail-server through the real binary on loopback ports:
# python3 poplib as the course agent uses it, curl, mpop; DELE/RSET/QUIT semantics, the
# mailbox lock, strict arguments, limits, idle timeout, shutdown, and 100 concurrent
# sessions over 100 users x 100 messages. Messages are placed into the Maildirs directly
# (MaildirStore's naming, CRLF); pop3_smtp.bats covers mail delivered through SMTP.

load ../lib/common
load ../lib/pop3

setup_file() {
	common_setup_file
	pop3_topology
	cat >>"$CONF" <<YAML
  small.test:
    smtp: $S_SMTP
    pop: $S_POP
    limits:
      max_sessions: 2
      pop_timeout: 2s
      max_auth_failures: 2
    accounts:
      carol@small.test: carolpw
YAML
	python3 "$POP3_LOAD" fill "$MAILROOT" pop.test 100 100 "$T/manifest.json"
	start_pop_test
}

teardown_file() { common_teardown_file; }

# reset_alice: alice@pop.test gets exactly three known messages.
reset_alice() {
	rm -rf "$MAILROOT/alice@pop.test"
	put_message alice@pop.test 1700000001.M1P1Q1 $'Subject: one\r\nFrom: x@y\r\n\r\nfirst\r\n'
	put_message alice@pop.test 1700000002.M1P1Q2 $'Subject: two\r\n\r\n.dot line\r\n..two dots\r\n.\r\nend\r\n'
	put_message alice@pop.test 1700000003.M1P1Q3 $'Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\n'
}

# pop PYTHON-BODY: runs python with `p` = a poplib.POP3 connected to pop.test, and
# `login(p, user, pw)`; prints what the body prints.
pop() {
	python3 - "$P_POP" "$MAILROOT" "$1" <<'PY'
import glob, os, poplib, sys
port, root, body = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def files(user):
    return sorted(glob.glob(os.path.join(root, user, "new", "*")) + glob.glob(os.path.join(root, user, "cur", "*")))
def content(user, n):
    return open(files(user)[n - 1], "rb").read()
def joined(lines):
    return b"".join(l + b"\r\n" for l in lines)
def connect():
    return poplib.POP3("127.0.0.1", port, timeout=10)
def login(p, user="alice@pop.test", pw="alice pw"):
    p.user(user); return p.pass_(pw)
p = connect()
exec(body)
PY
}

@test "greeting and CAPA (RFC 2449)" {
	run pop '
print(p.getwelcome().decode())
print(sorted(p.capa().keys()))
print(p.capa()["IMPLEMENTATION"])'
	assert_success
	assert_output - <<'EOF'
+OK pop.test POP3 server ready
['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'SASL', 'TOP', 'UIDL', 'USER']
['mail-server']
EOF
}

@test "poplib as the course agent uses it: USER PASS STAT LIST RETR DELE RSET NOOP QUIT; bytes equal" {
	reset_alice
	run pop '
print("PASS", login(p).decode())
count, size = p.stat()
print("STAT", count, "messages; size is the sum of the files:", size == sum(len(content("alice@pop.test", n)) for n in (1, 2, 3)))
resp, listing, _ = p.list()
print("LIST", resp.decode(), [l.decode().split()[0] for l in listing])
print("LIST sizes are the file sizes:", all(int(l.split()[1]) == len(content("alice@pop.test", int(l.split()[0]))) for l in listing))
print("LIST 2 is +OK 2 <size of file 2>:", p.list(2).decode() == "+OK 2 %d" % len(content("alice@pop.test", 2)))
for n in (1, 2, 3):
    resp, got, octets = p.retr(n)
    print("RETR", n, "bytes equal the file:", joined(got) == content("alice@pop.test", n),
          "reply is +OK <size> octets:", resp.decode() == "+OK %d octets" % len(content("alice@pop.test", n)))
print("DELE 1", p.dele(1).decode())
print("STAT", p.stat()[0], "messages")
print("RSET", p.rset().decode())
print("NOOP", p.noop().decode())
print("STAT", p.stat()[0], "messages")
print("QUIT", p.quit().decode())
print("files left:", len(files("alice@pop.test")))'
	assert_success
	assert_output - <<EOF
PASS +OK maildrop has 3 messages ($(alice_octets) octets)
STAT 3 messages; size is the sum of the files: True
LIST +OK 3 messages ($(alice_octets) octets) ['1', '2', '3']
LIST sizes are the file sizes: True
LIST 2 is +OK 2 <size of file 2>: True
RETR 1 bytes equal the file: True reply is +OK <size> octets: True
RETR 2 bytes equal the file: True reply is +OK <size> octets: True
RETR 3 bytes equal the file: True reply is +OK <size> octets: True
DELE 1 +OK message 1 deleted
STAT 2 messages
RSET +OK maildrop has 3 messages ($(alice_octets) octets)
NOOP +OK
STAT 3 messages
QUIT +OK pop.test POP3 server signing off (3 messages ($(alice_octets) octets) left)
files left: 3
EOF
}

@test "TOP and UIDL; unique ids stable across sessions" {
	reset_alice
	run pop '
login(p)
resp, got, _ = p.top(3, 1)
print("TOP 3 1 is the header and one body line:", joined(got) == b"Subject: three\r\n\r\nl1\r\n")
first = p.uidl()[1]
print("UIDL 2 agrees with the UIDL listing:", p.uidl(2).decode().split()[2] == first[1].decode().split()[1])
p.quit()
q = connect(); login(q)
print("next session, same UIDL listing:", q.uidl()[1] == first, "entries:", len(first))
q.quit()'
	assert_success
	assert_output - <<'EOF'
TOP 3 1 is the header and one body line: True
UIDL 2 agrees with the UIDL listing: True
next session, same UIDL listing: True entries: 3
EOF
}

@test "curl lists with pop3://user:pass@host:port/ and retrieves /N byte for byte" {
	reset_alice
	run curl -sS --max-time 10 "pop3://alice%40pop.test:alice%20pw@127.0.0.1:$P_POP/"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | tr -d '\r' | cut -d' ' -f1 | tr '\n' ' ')" = "1 2 3 " ]
	for n in 1 2 3; do
		curl -sS --max-time 10 -o "$T/curl.$n" "pop3://alice%40pop.test:alice%20pw@127.0.0.1:$P_POP/$n"
		cmp "$T/curl.$n" "$(ls "$MAILROOT"/alice@pop.test/new/* | sort | sed -n "${n}p")"
	done
}

@test "mpop retrieves every message into a local Maildir, same content" {
	reset_alice
	rm -rf "$T/mpop" && mkdir -p "$T/mpop/new" "$T/mpop/cur" "$T/mpop/tmp"
	run mpop --host=127.0.0.1 --port="$P_POP" --tls=off --auth=user --user=alice@pop.test \
		--passwordeval="echo 'alice pw'" --delivery="maildir,$T/mpop" --keep=on --only-new=off \
		--received-header=off --timeout=10
	[ "$status" -eq 0 ]
	[ "$(ls "$T/mpop/new" | wc -l)" -eq 3 ]
	# mpop stores with LF line ends: compare with the original CRLF -> LF.
	local got=""
	for f in "$T"/mpop/new/*; do got+="$(sha256sum <"$f" | cut -d' ' -f1) "; done
	local want=""
	for f in "$MAILROOT"/alice@pop.test/new/*; do want+="$(tr -d '\r' <"$f" | sha256sum | cut -d' ' -f1) "; done
	[ "$(echo $got | tr ' ' '\n' | sort)" = "$(echo $want | tr ' ' '\n' | sort)" ]
}

@test "DELE then drop keeps; DELE then QUIT removes; deleted numbers give -ERR" {
	reset_alice
	run pop '
login(p)
p.dele(1); p.dele(3)
import socket, time
p.sock.shutdown(socket.SHUT_RDWR); p.sock.close(); p.file.close()  # dropped without QUIT
for _ in range(100):  # the server notices the drop and releases the lock
    try:
        q = connect(); login(q); break
    except poplib.error_proto:
        time.sleep(0.05)
print("after the drop:", q.stat()[0], "messages,", len(files("alice@pop.test")), "files")
q.dele(2)
for cmd in ("RETR 2", "LIST 2", "DELE 2", "TOP 2 0", "UIDL 2"):
    try:
        print(cmd, q._shortcmd(cmd))
    except poplib.error_proto as e:
        print(cmd, e.args[0].decode())
print("QUIT", q.quit().decode())
print("files left:", len(files("alice@pop.test")))
r = connect(); login(r)
print("next session:", r.stat()[0], "messages"); r.quit()'
	assert_success
	assert_output - <<EOF
after the drop: 3 messages, 3 files
RETR 2 -ERR message 2 already deleted
LIST 2 -ERR message 2 already deleted
DELE 2 -ERR message 2 already deleted
TOP 2 0 -ERR message 2 already deleted
UIDL 2 -ERR message 2 already deleted
QUIT +OK pop.test POP3 server signing off (2 messages ($(alice_octets) octets) left)
files left: 2
next session: 2 messages
EOF
}

@test "a second session for the same mailbox gets [IN-USE]; another user is not affected" {
	reset_alice
	run pop '
login(p)
q = connect()
q.user("alice@pop.test")
try:
    q.pass_("alice pw"); print("second login accepted")
except poplib.error_proto as e:
    print("second session:", e.args[0].decode())
other = connect()
print("bob meanwhile:", login(other, "bob@pop.test", "bobpw").decode()); other.quit()
p.quit()
print("after the first QUIT:", login(q).decode()[:3]); q.quit()'
	assert_success
	assert_output - <<'EOF'
second session: -ERR [IN-USE] mailbox is locked by another session
bob meanwhile: +OK maildrop has 0 messages (0 octets)
after the first QUIT: +OK
EOF
}

@test "bad credentials: -ERR [AUTH], delayed, never logged; too many failures close" {
	run pop '
import time
for user, pw in (("alice@pop.test", "wrong-secret-1"), ("ALICE@pop.test", "alice pw"), ("nobody@pop.test", "x")):
    q = connect(); q.user(user); t = time.monotonic()
    try:
        q.pass_(pw); print(user, pw, "accepted")
    except poplib.error_proto as e:
        print(user, pw, e.args[0].decode()[:11], "after 0.9 s or more:", time.monotonic() - t >= 0.9)
    q.close()'
	assert_success
	assert_output - <<'EOF'
alice@pop.test wrong-secret-1 -ERR [AUTH] after 0.9 s or more: True
ALICE@pop.test alice pw -ERR [AUTH] after 0.9 s or more: True
nobody@pop.test x -ERR [AUTH] after 0.9 s or more: True
EOF
	! grep -q "wrong-secret-1" "$T/pop.test.log"
	! grep -q "alice pw" "$T/pop.test.log"
	grep -q 'auth failed user="alice@pop.test"' "$T/pop.test.log"
}

@test "strict arguments and over-long lines: -ERR and the session goes on" {
	reset_alice
	run pop '
login(p)
for cmd in ("RETR 0", "RETR 4", "RETR -1", "RETR 1 1", "RETR", "RETR 99999999999999999999999", "LIST x",
            "TOP 1", "STAT now", "NOOP" + " x" * 200, "FOO"):
    shown = cmd if len(cmd) < 40 else "NOOP x x ... (%d octets)" % len(cmd)
    try:
        print(shown, p._shortcmd(cmd))
    except poplib.error_proto as e:
        print(shown, e.args[0].decode().split()[0])
print("STAT", p.stat()[0], "messages")
p.quit()'
	assert_success
	assert_output - <<'EOF'
RETR 0 -ERR
RETR 4 -ERR
RETR -1 -ERR
RETR 1 1 -ERR
RETR -ERR
RETR 99999999999999999999999 -ERR
LIST x -ERR
TOP 1 -ERR
STAT now -ERR
NOOP x x ... (404 octets) -ERR
FOO -ERR
STAT 3 messages
EOF
}

@test "mail arriving during a session shows in the next one" {
	reset_alice
	run pop '
login(p)
print("STAT", p.stat()[0], "messages")
open(os.path.join(root, "alice@pop.test", "new", "1700000009.M1P1Q9.pop.test,S=13"), "wb").write(b"Subject: x\r\n\r\n"[:13])
print("after the new file: STAT", p.stat()[0], "messages, LIST", len(p.list()[1]), "entries")
p.quit()
q = connect(); login(q); print("next session: STAT", q.stat()[0], "messages"); q.quit()'
	assert_success
	assert_output - <<'EOF'
STAT 3 messages
after the new file: STAT 3 messages, LIST 3 entries
next session: STAT 4 messages
EOF
}

@test "100 concurrent sessions over 100 users x 100 messages: every message intact" {
	run timeout 120 python3 "$POP3_LOAD" fetch 127.0.0.1 "$P_POP" "$T/manifest.json" --sessions 100
	assert_success
	assert_output --partial '"logins": 100, "messages": 10000'
	assert_output --partial '"errors": []'
}

@test "the log has one line per event and no error" {
	grep -qE 'pop3: [0-9a-f]{16} connected peer=127\.0\.0\.1:[0-9]+' "$T/pop.test.log"
	grep -qE 'pop3: [0-9a-f]{16} login user="u000@pop.test" messages=100 ' "$T/pop.test.log"
	grep -qE 'pop3: [0-9a-f]{16} disconnected reason=quit ' "$T/pop.test.log"
	! grep -qE '\[(Error|Critical|Fatal)\]' "$T/pop.test.log"
}

# --- small.test: a second process with tight limits, started per test ----------------

start_small() {
	start_bg small.test "$MAIL_BIN/mail-server" -n small.test --conf "$CONF" --data "$T/small" >/dev/null
	wait_port "$S_POP" 30 "$(pid_of small.test)"
}

@test "over max_sessions: -ERR [SYS/TEMP] before any greeting, nothing dropped silently" {
	start_small
	run python3 - "$S_POP" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
for _ in range(2):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    print(s.recv(200).decode().strip()); held.append(s)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
print(s.recv(200).decode().strip()); print("then closed:", s.recv(200) == b"")
held[0].close()
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    line = s.recv(200).decode().strip()
    if line.startswith("+OK"): break
    time.sleep(0.05)
print(line)
PY
	stop_one small.test
	assert_success
	assert_output - <<'EOF'
+OK small.test POP3 server ready
+OK small.test POP3 server ready
-ERR [SYS/TEMP] too many connections, try again later
then closed: True
+OK small.test POP3 server ready
EOF
}

@test "idle timeout (limits.pop_timeout) closes the session; nothing deleted" {
	start_small
	mkdir -p "$T/small/small.test/mail/carol@small.test/new"
	printf 'Subject: c\r\n\r\nc\r\n' >"$T/small/small.test/mail/carol@small.test/new/1700000000.M1P1Q1.small.test,S=17"
	local start took
	start=$(date +%s%3N)
	run pop_script $S_POP pop3_idle_timeout.in
	took=$(($(date +%s%3N) - start))
	stop_one small.test
	assert_success
	assert_transcript pop3_idle_timeout
	# pop_timeout is 2s: closed after it, and long before the default (10 minutes) would
	# (the upper bound also holds the client's start and the stop on a loaded machine)
	[ "$took" -ge 1500 ] && [ "$took" -le 30000 ] || fail "closed after $took ms"
	[ "$(ls "$T/small/small.test/mail/carol@small.test/new" | wc -l)" -eq 1 ]
}

@test "max_auth_failures: the connection is closed after the last failure" {
	start_small
	run pop_script $S_POP pop3_auth_failures.in
	stop_one small.test
	assert_success
	assert_transcript pop3_auth_failures
}

@test "a file replaced or removed behind the server: the listed text or -ERR, never another's; the next login reads the new file" {
	# On small.test: the error this logs stays out of pop.test's log, which must have none.
	start_small
	local box=$T/small/small.test/mail/carol@small.test
	rm -rf "$box" # only this test's two messages
	mkdir -p "$box/tmp" "$box/new" "$box/cur"
	printf 'Subject: kept\r\n\r\nfirst\r\n' >"$box/new/1700000101.M1P1Q1.small.test,S=24"
	printf 'Subject: never read\r\n\r\nsecond\r\n' >"$box/new/1700000102.M1P1Q2.small.test,S=31"
	run python3 - "$S_POP" "$box" <<'PY'
import glob, os, poplib, sys
port, box = int(sys.argv[1]), sys.argv[2]
def joined(lines):
    return b"".join(l + b"\r\n" for l in lines)
def session():
    p = poplib.POP3("127.0.0.1", port, timeout=10)
    p.user("carol@small.test"); p.pass_("carolpw")
    return p
f = sorted(glob.glob(os.path.join(box, "new", "*")))
p = session()
first = joined(p.retr(1)[1])
print("RETR 1 before:", first == open(f[0], "rb").read())
# A restore renames another text over message 1 (a new file: a new inode); message 2 goes.
tmp = os.path.join(box, "tmp", "restored")
open(tmp, "wb").write(b"Subject: restored\r\n\r\nother\r\n")
os.rename(tmp, f[0])
os.remove(f[1])
print("same session, RETR 1 is the text it listed:", joined(p.retr(1)[1]) == first)
try:
    p.retr(2)
    print("RETR 2 answered")
except poplib.error_proto as e:
    print("RETR 2:", e.args[0].decode())
p.quit()
q = session()
print("next session: STAT", q.stat()[0], "message")
print("RETR 1 is the restored file:", joined(q.retr(1)[1]) == b"Subject: restored\r\n\r\nother\r\n")
q.quit()
PY
	stop_one small.test
	assert_success
	assert_output - <<'EOF'
RETR 1 before: True
same session, RETR 1 is the text it listed: True
RETR 2: -ERR [SYS/TEMP] cannot read message 2
next session: STAT 1 message
RETR 1 is the restored file: True
EOF
	grep -q 'cannot read message user="carol@small.test"' "$T/small.test.log"
}

@test "SIGTERM during a session: -ERR shutting down, exit 0, pending DELE not applied" {
	start_small
	# one known message, whatever the tests before left (the transcript shows the count)
	mkdir -p "$T/small/small.test/mail/carol@small.test/new"
	rm -f "$T/small/small.test/mail/carol@small.test"/{new,cur}/*
	printf 'Subject: c\r\n\r\nc\r\n' >"$T/small/small.test/mail/carol@small.test/new/1700000000.M1P1Q2.small.test,S=17"
	local before
	before=$(ls "$T/small/small.test/mail/carol@small.test/new" | wc -l)
	local pid
	pid=$(pid_of small.test)
	run pop_script $S_POP pop3_sigterm.in 4 $pid
	assert_success
	assert_transcript pop3_sigterm
	local i
	for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; nap 0.05; done
	! kill -0 "$pid" 2>/dev/null
	wait "$pid" || { echo "exit status $?"; false; }
	[ "$(ls "$T/small/small.test/mail/carol@small.test/new" | wc -l)" -eq "$before" ]
}
