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

# put_message USER FILE-NAME-STAMP CONTENT: a message as MaildirStore writes it (CRLF).
put_message() {
	local user=$1 stamp=$2 content=$3 dir=$MAILROOT/$1
	mkdir -p "$dir/tmp" "$dir/new" "$dir/cur"
	printf '%s' "$content" >"$dir/tmp/$stamp"
	mv "$dir/tmp/$stamp" "$dir/new/$stamp.pop.test,S=$(stat -c %s "$dir/tmp/$stamp")"
}

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
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "+OK pop.test POP3 server ready" ]
	[ "${lines[1]}" = "['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'TOP', 'UIDL', 'USER']" ]
	[ "${lines[2]}" = "['mail-server']" ]
}

@test "poplib as the course agent uses it: USER PASS STAT LIST RETR DELE RSET NOOP QUIT; bytes equal" {
	reset_alice
	run pop '
print(login(p))
count, size = p.stat()
print(count, size == sum(len(content("alice@pop.test", n)) for n in (1, 2, 3)))
resp, listing, _ = p.list()
print(resp.decode(), [l.decode().split()[0] for l in listing],
      all(int(l.split()[1]) == len(content("alice@pop.test", int(l.split()[0]))) for l in listing))
print(p.list(2).decode() == "+OK 2 %d" % len(content("alice@pop.test", 2)))
for n in (1, 2, 3):
    resp, got, octets = p.retr(n)
    print(n, joined(got) == content("alice@pop.test", n), resp.decode() == "+OK %d octets" % len(content("alice@pop.test", n)))
print(p.dele(1).decode())
print(p.stat()[0])
print(p.rset().decode())
print(p.noop().decode())
print(p.stat()[0])
print(p.quit().decode())
print(len(files("alice@pop.test")))'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "b'+OK maildrop has 3 messages ("* ]]
	[ "${lines[1]}" = "3 True" ]
	[ "${lines[2]}" = "+OK 3 messages ($(cat "$MAILROOT"/alice@pop.test/new/* | wc -c) octets) ['1', '2', '3'] True" ]
	[ "${lines[3]}" = "True" ]
	[ "${lines[4]}" = "1 True True" ]
	[ "${lines[5]}" = "2 True True" ]
	[ "${lines[6]}" = "3 True True" ]
	[ "${lines[7]}" = "+OK message 1 deleted" ]
	[ "${lines[8]}" = "2" ]
	[[ "${lines[9]}" == "+OK maildrop has 3 messages"* ]]
	[ "${lines[10]}" = "+OK" ]
	[ "${lines[11]}" = "3" ]
	[[ "${lines[12]}" == "+OK pop.test POP3 server signing off"* ]]
	[ "${lines[13]}" = "3" ]
}

@test "TOP and UIDL; unique ids stable across sessions" {
	reset_alice
	run pop '
login(p)
resp, got, _ = p.top(3, 1)
print(joined(got) == b"Subject: three\r\n\r\nl1\r\n")
first = p.uidl()[1]
print(p.uidl(2).decode().split()[2] == first[1].decode().split()[1])
p.quit()
q = connect(); login(q)
print(q.uidl()[1] == first, len(first))
q.quit()'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "True" ]
	[ "${lines[1]}" = "True" ]
	[ "${lines[2]}" = "True 3" ]
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
print(q.stat()[0], len(files("alice@pop.test")))
q.dele(2)
for cmd in ("RETR 2", "LIST 2", "DELE 2", "TOP 2 0", "UIDL 2"):
    try:
        print(q._shortcmd(cmd))
    except poplib.error_proto as e:
        print(e.args[0].decode())
print(q.quit().decode())
print(len(files("alice@pop.test")))
r = connect(); login(r)
print(r.stat()[0]); r.quit()'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "3 3" ]
	for i in 1 2 3 4 5; do [ "${lines[$i]}" = "-ERR message 2 already deleted" ]; done
	[[ "${lines[6]}" == "+OK pop.test POP3 server signing off (2 messages ("* ]]
	[ "${lines[7]}" = "2" ]
	[ "${lines[8]}" = "2" ]
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
    print(e.args[0].decode())
other = connect()
print(login(other, "bob@pop.test", "bobpw").decode()); other.quit()
p.quit()
print(login(q).decode()[:3]); q.quit()'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "-ERR [IN-USE] "* ]]
	[[ "${lines[1]}" == "+OK maildrop has 0 messages"* ]]
	[ "${lines[2]}" = "+OK" ]
}

@test "bad credentials: -ERR [AUTH], delayed, never logged; too many failures close" {
	run pop '
import time
for user, pw in (("alice@pop.test", "wrong-secret-1"), ("ALICE@pop.test", "alice pw"), ("nobody@pop.test", "x")):
    q = connect(); q.user(user); t = time.monotonic()
    try:
        q.pass_(pw); print("accepted")
    except poplib.error_proto as e:
        print(e.args[0].decode()[:11], time.monotonic() - t >= 0.9)
    q.close()'
	[ "$status" -eq 0 ]
	for i in 0 1 2; do [ "${lines[$i]}" = "-ERR [AUTH] True" ]; done
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
    try:
        print(p._shortcmd(cmd))
    except poplib.error_proto as e:
        print(e.args[0].decode().split()[0])
print(p.stat()[0])
p.quit()'
	[ "$status" -eq 0 ]
	for i in $(seq 0 10); do [ "${lines[$i]}" = "-ERR" ]; done
	[ "${lines[11]}" = "3" ]
}

@test "mail arriving during a session shows in the next one" {
	reset_alice
	run pop '
login(p)
print(p.stat()[0])
open(os.path.join(root, "alice@pop.test", "new", "1700000009.M1P1Q9.pop.test,S=13"), "wb").write(b"Subject: x\r\n\r\n"[:13])
print(p.stat()[0], len(p.list()[1]))
p.quit()
q = connect(); login(q); print(q.stat()[0]); q.quit()'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "3" ]
	[ "${lines[1]}" = "3 3" ]
	[ "${lines[2]}" = "4" ]
}

@test "100 concurrent sessions over 100 users x 100 messages: every message intact" {
	run timeout 120 python3 "$POP3_LOAD" fetch 127.0.0.1 "$P_POP" "$T/manifest.json" --sessions 100
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"logins": 100, "messages": 10000'* ]]
	[[ "$output" == *'"errors": []'* ]]
}

@test "the log has one line per event and no error" {
	grep -qE 'pop3: [0-9a-f]{8} connected peer=127\.0\.0\.1:[0-9]+' "$T/pop.test.log"
	grep -qE 'pop3: [0-9a-f]{8} login user="u000@pop.test" messages=100 ' "$T/pop.test.log"
	grep -qE 'pop3: [0-9a-f]{8} disconnected reason=quit ' "$T/pop.test.log"
	! grep -qE '\[(Error|Critical|Fatal)\]' "$T/pop.test.log"
}

# --- small.test: a second process with tight limits, started per test ----------------

start_small() {
	start_bg small.test "$MAIL_BIN/mail-server" -n small.test --conf "$CONF" --data "$T/small" >/dev/null
	wait_port "$S_POP" 10 "$(pid_of small.test)"
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
print(s.recv(200).decode().strip()); print(s.recv(200) == b"")
held[0].close()
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    line = s.recv(200).decode().strip()
    if line.startswith("+OK"): break
    time.sleep(0.05)
print(line)
PY
	stop_one small.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "+OK small.test POP3 server ready" ]
	[ "${lines[1]}" = "+OK small.test POP3 server ready" ]
	[ "${lines[2]}" = "-ERR [SYS/TEMP] too many connections, try again later" ]
	[ "${lines[3]}" = "True" ]
	[ "${lines[4]}" = "+OK small.test POP3 server ready" ]
}

@test "idle timeout (limits.pop_timeout) closes the session; nothing deleted" {
	start_small
	mkdir -p "$T/small/small.test/mail/carol@small.test/new"
	printf 'Subject: c\r\n\r\nc\r\n' >"$T/small/small.test/mail/carol@small.test/new/1700000000.M1P1Q1.small.test,S=17"
	run timeout 20 python3 - "$S_POP" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"USER carol@small.test\r\nPASS carolpw\r\nDELE 1\r\n")
t = time.monotonic(); data = b""
while True:
    chunk = s.recv(1000)
    if not chunk: break
    data += chunk
print(data.decode().replace("\r\n", "|"))
print(1.5 <= time.monotonic() - t <= 10)
PY
	stop_one small.test
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"+OK message 1 deleted|-ERR [SYS/TEMP] idle for too long, closing connection|" ]]
	[ "${lines[1]}" = "True" ]
	[ "$(ls "$T/small/small.test/mail/carol@small.test/new" | wc -l)" -eq 1 ]
}

@test "max_auth_failures: the connection is closed after the last failure" {
	start_small
	run timeout 20 python3 - "$S_POP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"USER carol@small.test\r\nPASS bad1\r\nUSER carol@small.test\r\nPASS bad2\r\nNOOP\r\n")
data = b""
while True:
    chunk = s.recv(1000)
    if not chunk: break
    data += chunk
print(data.decode().replace("\r\n", "|"))
PY
	stop_one small.test
	[ "$status" -eq 0 ]
	[[ "$output" == *"-ERR [AUTH] invalid user name or password|+OK send PASS|-ERR [AUTH] invalid user name or password; too many failures, closing connection|" ]]
}

@test "SIGTERM during a session: -ERR shutting down, exit 0, pending DELE not applied" {
	start_small
	mkdir -p "$T/small/small.test/mail/carol@small.test/new"
	printf 'Subject: c\r\n\r\nc\r\n' >"$T/small/small.test/mail/carol@small.test/new/1700000000.M1P1Q2.small.test,S=17"
	local before
	before=$(ls "$T/small/small.test/mail/carol@small.test/new" | wc -l)
	local pid
	pid=$(pid_of small.test)
	run timeout 20 python3 - "$S_POP" "$pid" <<'PY'
import os, signal, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"USER carol@small.test\r\nPASS carolpw\r\nDELE 1\r\n")
data = b""
while data.count(b"\r\n") < 4: data += s.recv(1000)
os.kill(int(sys.argv[2]), signal.SIGTERM)
while True:
    chunk = s.recv(1000)
    if not chunk: break
    data += chunk
print(data.decode().replace("\r\n", "|"))
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"+OK message 1 deleted|-ERR [SYS/TEMP] small.test POP3 server shutting down|" ]]
	local i
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$pid" 2>/dev/null
	wait "$pid" || { echo "exit status $?"; false; }
	[ "$(ls "$T/small/small.test/mail/carol@small.test/new" | wc -l)" -eq "$before" ]
}
