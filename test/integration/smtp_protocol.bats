#!/usr/bin/env bats
# smtp_protocol.bats - replies of the real mail-server to raw dialogues: policy rejections,
# sequencing, syntax, PIPELINING in one write, SMTP smuggling, limits, timeout, shutdown,
# CHUNKING (RFC 3030: BDAT chunks, a CRLF split across chunks, the stored file the same
# octets as with DATA).

load ../lib/common

setup_file() {
	common_setup_file
	local ports
	ports=($(free_ports 2))
	export LIM_SMTP=${ports[0]} LIM_POP=${ports[1]}
	# A third provider with tiny limits, so limit tests run fast.
	EXTRA_SERVERS="  limited.example:
    smtp: $LIM_SMTP
    pop: $LIM_POP
    accounts:
      a@limited.example: pw
      b@limited.example: pw
    limits:
      max_message_size: 1024
      max_recipients: 2
      soft_errors: 2
      hard_errors: 5
      command_timeout: 2s
      data_timeout: 2s
      max_messages_per_session: 2"
	export EXTRA_SERVERS
	make_topology
	start_server exmail.qq.com
	start_server limited.example
}

teardown_file() { common_teardown_file; }

# talk PORT DATA: sends DATA (printf format) in one write after the greeting; prints every
# reply line until the server closes (bounded by 15 s). With TALK_TIME=FILE, writes the
# milliseconds from the send to the close into FILE. With TALK_EVAL=1, DATA is a Python
# expression for the bytes, in which bdat(body, last=False) is "BDAT <len> [LAST]" CRLF body.
talk() {
	python3 - "$1" "$2" <<'PY'
import os, socket, sys, time
def bdat(body, last=False):
    return b'BDAT %d%s\r\n' % (len(body), b' LAST' if last else b'') + body
port = int(sys.argv[1])
if os.environ.get('TALK_EVAL'): data = eval(sys.argv[2])
else: data = sys.argv[2].encode().decode('unicode_escape').encode('latin-1')
s = socket.create_connection(('127.0.0.1', port), timeout=15)
buf = b''
while not buf.endswith(b'\r\n'): buf += s.recv(4096)
s.sendall(data)
sent = time.time()
deadline = sent + 15
while time.time() < deadline:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    if not chunk: break
    buf += chunk
if os.environ.get('TALK_TIME'):
    open(os.environ['TALK_TIME'], 'w').write('%d' % ((time.time() - sent) * 1000))
sys.stdout.write(buf.decode('latin-1').replace('\r\n', '\n'))
PY
}

# codes: only the reply codes, one per line
codes() { awk '{ print substr($0, 1, 3) }'; }

@test "greeting, EHLO keywords and HELP" {
	run talk $EX_SMTP 'EHLO c.example\r\nHELO c.example\r\nHELP\r\nNOOP\r\nVRFY usr1\r\nQUIT\r\n'
	[ "${lines[0]}" = "220 exmail.qq.com ESMTP" ]
	[ "${lines[1]}" = "250-exmail.qq.com" ]
	[[ "$output" == *"250-PIPELINING"* && "$output" == *"250-SIZE 10485760"* && "$output" == *"250-8BITMIME"* ]]
	[[ "$output" == *"250-CHUNKING"* && "$output" == *"250-ENHANCEDSTATUSCODES"* && "$output" == *"250 HELP"* ]]
	[ "${lines[8]}" = "250 exmail.qq.com" ]
	[[ "${lines[9]}" == "214 2.0.0 "* ]]
	[ "${lines[10]}" = "250 2.0.0 Ok" ]
	[[ "${lines[11]}" == "252 2.0.0 "* ]]
	[ "${lines[12]}" = "221 2.0.0 Bye" ]
}

@test "policy: unknown own-domain sender 550 5.1.0, relay denied and unknown user 550 5.1.1" {
	run talk $EX_SMTP 'EHLO c\r\nMAIL FROM:<nobody@mail.sustech.edu.cn>\r\nMAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<usr@gmail.com>\r\nRCPT TO:<ghost@mail.sustech.edu.cn>\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\nQUIT\r\n'
	[[ "$output" == *"550 5.1.0 <nobody@mail.sustech.edu.cn>: Sender address rejected"* ]]
	[[ "$output" == *"550 5.1.1 <usr@gmail.com>: Recipient address rejected: relay access denied"* ]]
	[[ "$output" == *"550 5.1.1 <ghost@mail.sustech.edu.cn>: Recipient address rejected: User unknown"* ]]
	[ "$(echo "$output" | tail -n +9 | codes | tr '\n' ' ')" = "550 250 550 550 250 221 " ]
}

@test "sequencing: 503 before HELO, RCPT before MAIL, DATA before RCPT, nested MAIL" {
	run talk $EX_SMTP 'MAIL FROM:<a@b.example>\r\nEHLO c\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\nDATA\r\nMAIL FROM:<a@b.example>\r\nDATA\r\nMAIL FROM:<a@b.example>\r\nRSET\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n'
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 503 250 250 250 250 250 250 250 503 503 250 503 503 250 250 221 " ]
	[[ "$output" == *"503 5.5.1 Error: send HELO/EHLO first"* ]]
	[[ "$output" == *"503 5.5.1 Error: need MAIL command"* ]]
	[[ "$output" == *"503 5.5.1 Error: need RCPT command"* ]]
	[[ "$output" == *"503 5.5.1 Error: nested MAIL command"* ]]
}

@test "syntax: 500 unknown and too long, 501 malformed, 555 unknown parameter, 552 declared size" {
	long=$(printf 'NOOP %0600d' 0)
	run talk $EX_SMTP "BOGUS\r\n$long\r\nHELO\r\nEHLO c\r\nMAIL FROM:<bad address>\r\nMAIL FROM:<a@b.example> FOO=1\r\nMAIL FROM:<a@b.example> SIZE=99999999\r\nMAIL TO:<a@b.example>\r\nDATA x\r\nQUIT\r\n"
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 500 500 501 250 250 250 250 250 250 250 501 555 552 501 501 221 " ]
	[[ "$output" == *"500 5.5.2 Error: command not recognized"* ]]
	[[ "$output" == *"500 5.5.2 Error: line too long"* ]]
	[[ "$output" == *"501 5.1.7 Bad sender address syntax"* ]]
	[[ "$output" == *"552 5.3.4 Message size exceeds fixed limit"* ]]
}

@test "PIPELINING: a whole transaction in one write gets every reply in order" {
	before=$(maildir_count usr2@mail.sustech.edu.cn)
	run talk $EX_SMTP 'EHLO c\r\nMAIL FROM:<usr1@mail.sustech.edu.cn>\r\nRCPT TO:<ghost@mail.sustech.edu.cn>\r\nRCPT TO:<usr2@mail.sustech.edu.cn>\r\nDATA\r\nSubject: piped\r\n\r\nbody\r\n.\r\nMAIL FROM:<usr1@mail.sustech.edu.cn>\r\nRCPT TO:<usr2@mail.sustech.edu.cn>\r\nDATA\r\nSubject: piped 2\r\n\r\n.\r\nQUIT\r\n'
	[ "$(echo "$output" | tail -n +9 | codes | tr '\n' ' ')" = "250 550 250 354 250 250 250 354 250 221 " ]
	[ "$(maildir_count usr2@mail.sustech.edu.cn)" -eq $((before + 2)) ]
}

@test "SMTP smuggling: a bare-LF dot does not end DATA and smuggled commands are content" {
	before=$(maildir_count usr1@mail.sustech.edu.cn)
	run talk $EX_SMTP 'EHLO c\r\nMAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\nDATA\r\nSubject: smuggle\r\n\r\nbody\n.\r\nMAIL FROM:<usr1@mail.sustech.edu.cn>\r\nRCPT TO:<usr2@mail.sustech.edu.cn>\r\nDATA\r\nSubject: smuggled\r\n\r\n.\r\nQUIT\r\n'
	# one 354 and one 250 for DATA: the rest was message content
	[ "$(echo "$output" | tail -n +9 | codes | tr '\n' ' ')" = "250 250 354 250 221 " ]
	[ "$(maildir_count usr1@mail.sustech.edu.cn)" -eq $((before + 1)) ]
	f=$(ls -t "$T"/data/exmail.qq.com/mail/usr1@mail.sustech.edu.cn/new/* | head -1)
	grep -q 'Subject: smuggled' "$f"
	grep -q '^MAIL FROM:<usr1@mail.sustech.edu.cn>' "$f"
	# every line end is stored as LF (Maildir), the bare LF like the others
	python3 -c "import sys; d=open(sys.argv[1],'rb').read(); assert b'body\n.\n' in d and b'\r' not in d" "$f"
}

@test "bare LF command lines are accepted (nc users)" {
	run talk $EX_SMTP 'HELO c\nNOOP\nQUIT\n'
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 250 250 221 " ]
}

@test "limits: message size read to the end then 552, recipients 452, messages per session 452" {
	big=$(printf 'x%.0s' $(seq 1 600))
	run talk $LIM_SMTP "EHLO c\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\nRCPT TO:<a@limited.example>\r\nRCPT TO:<a@limited.example>\r\nDATA\r\n$big\r\n$big\r\n.\r\nNOOP\r\nQUIT\r\n"
	[ "$(echo "$output" | tail -n +9 | codes | tr '\n' ' ')" = "250 250 250 452 354 552 250 221 " ]
	[[ "$output" == *"250-SIZE 1024"* ]]
	[[ "$output" == *"452 4.5.3 Error: too many recipients"* ]]
	[[ "$output" == *"552 5.3.4 "* ]]
	[ "$(maildir_count b@limited.example)" -eq 0 ]
	run talk $LIM_SMTP "HELO c\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\nDATA\r\n1\r\n.\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\nDATA\r\n2\r\n.\r\nMAIL FROM:<a@limited.example>\r\nQUIT\r\n"
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 250 250 250 354 250 250 250 354 250 452 221 " ]
	[ "$(maildir_count b@limited.example)" -eq 2 ]
}

@test "limits: a text line over 1000 octets is rejected after the final dot" {
	long=$(printf '%01000d' 0)
	run talk $LIM_SMTP "HELO c\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\nDATA\r\n$long\r\n.\r\nQUIT\r\n"
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 250 250 250 354 500 221 " ]
}

@test "hard error limit: delayed replies after the soft limit, then 421 and close" {
	start=$(date +%s%N)
	run talk $LIM_SMTP 'X1\r\nX2\r\nX3\r\nX4\r\nX5\r\nNOOP\r\nNOOP\r\n'
	elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 500 500 500 500 500 421 " ]
	[[ "$output" == *"421 4.7.0 limited.example Error: too many errors"* ]]
	# errors 3, 4 and 5 are past soft_errors=2: each waited 1 s
	[ "$elapsed_ms" -ge 2900 ]
}

@test "idle timeout: 421 4.4.2 and close" {
	TALK_TIME=$BATS_TEST_TMPDIR/took run talk $LIM_SMTP 'HELO c\r\n'
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 250 421 " ]
	[[ "$output" == *"421 4.4.2 limited.example Error: timeout exceeded"* ]]
	# command_timeout is 2 s; talk gives up after 15 s, so the 421 came from the timeout.
	# Timed inside the client from the HELO sent to the close (no interpreter start in it);
	# the bound leaves room for a starved server, not for a timeout several times too long.
	[ "$(cat "$BATS_TEST_TMPDIR/took")" -ge 1500 ] && [ "$(cat "$BATS_TEST_TMPDIR/took")" -lt 8000 ]
}

@test "DATA timeout: 421 4.4.2 and nothing stored" {
	before=$(maildir_count b@limited.example)
	run talk $LIM_SMTP 'HELO c\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\nDATA\r\npartial line\r\n'
	[ "$(echo "$output" | codes | tr '\n' ' ')" = "220 250 250 250 354 421 " ]
	[ "$(maildir_count b@limited.example)" -eq "$before" ]
}

@test "shutdown: an open session gets 421 4.3.2 and the server exits 0" {
	# run our own instance as a child of this shell, so its exit status can be read
	stop_one limited.example
	"$MAIL_BIN/mail-server" -n limited.example --conf "$CONF" --data "$T/data" 2>"$T/shutdown.log" &
	pid=$!
	wait_port "$LIM_SMTP" 30 "$pid"
	python3 - "$LIM_SMTP" >"$T/shutdown.out" <<'PY' &
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=15)
f = s.makefile('rb')
f.readline()
s.sendall(b'HELO c\r\n')
print(f.readline().decode().strip(), flush=True)
print(f.read().decode().strip(), flush=True)
PY
	client=$!
	for _ in $(seq 1 600); do grep -q '^250 ' "$T/shutdown.out" && break; nap 0.05; done
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	wait "$client"
	start_server limited.example
	[ "$rc" -eq 0 ]
	grep -q '^421 4.3.2 limited.example Service shutting down' "$T/shutdown.out"
}

# ---- CHUNKING (RFC 3030)

# replies: the reply codes after the greeting and EHLO's 7 lines, space-separated
replies() { echo "$output" | tail -n +9 | awk '{ printf "%s ", substr($0, 1, 3) }'; }

ENV="b'EHLO c\r\nMAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\n'"
NEWEST() { ls -t "$T"/data/exmail.qq.com/mail/usr1@mail.sustech.edu.cn/new/* | head -1; }

# content FILE: the stored message without the Return-Path: and Received: fields we add
content() {
	python3 -c "
import sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
i = 0
while i < len(lines) and (lines[i].startswith((b'Return-Path:', b'Received:')) or lines[i][:1] in (b' ', b'\t')): i += 1
sys.stdout.buffer.write(b'\n'.join(lines[i:]))" "$1"
}

@test "EHLO offers CHUNKING; one chunk with LAST is stored, its 250 names the queue id" {
	before=$(maildir_count usr1@mail.sustech.edu.cn)
	TALK_EVAL=1 run talk $EX_SMTP "$ENV + bdat(b'Subject: one\r\n\r\nbody\r\n', True) + b'QUIT\r\n'"
	[[ "$output" == *"250-CHUNKING"* ]]
	[ "$(replies)" = "250 250 250 221 " ]
	[[ "$output" =~ "250 2.0.0 Ok: queued as "([A-Za-z0-9]+) ]]
	id=${BASH_REMATCH[1]}
	[ "$(maildir_count usr1@mail.sustech.edu.cn)" -eq $((before + 1)) ]
	f=$(NEWEST)
	[ "$(content "$f")" = "$(printf 'Subject: one\n\nbody\n')" ]
	grep -q "$id" "$f"
	wait_until 10 grep -q "\"queue_id\":\"$id\"" "$T/data/exmail.qq.com/events.jsonl"
	grep "\"queue_id\":\"$id\"" "$T/data/exmail.qq.com/events.jsonl" | grep -q '"type":"message.accepted"'
}

@test "several chunks, a CRLF split between two of them, BDAT 0 LAST ends the message" {
	before=$(maildir_count usr1@mail.sustech.edu.cn)
	TALK_EVAL=1 run talk $EX_SMTP "$ENV + bdat(b'Subject: multi\r') + bdat(b'\nX-A: y\r\n\r\nbody') + bdat(b' more\r\n') + bdat(b'', True) + b'QUIT\r\n'"
	[ "$(replies)" = "250 250 250 250 250 250 221 " ]
	[[ "$output" == *"250 2.0.0 Ok: 15 octets received"* ]]
	[ "$(maildir_count usr1@mail.sustech.edu.cn)" -eq $((before + 1)) ]
	[ "$(content "$(NEWEST)")" = "$(printf 'Subject: multi\nX-A: y\n\nbody more\n')" ]
}

@test "the stored file is the same octets as the same message sent with DATA (dots, bare LF, CR)" {
	body="b'Subject: same\r\nX-B: 1\r\n\r\n.leading dot\r\n..two\r\nbare\nlf\r\ncr\rinside\r\n.\nend\r\n'"
	stuffed="b'Subject: same\r\nX-B: 1\r\n\r\n..leading dot\r\n...two\r\nbare\nlf\r\ncr\rinside\r\n.\nend\r\n.\r\n'"
	TALK_EVAL=1 run talk $EX_SMTP "$ENV + bdat($body, True) + b'QUIT\r\n'"
	[ "$(replies)" = "250 250 250 221 " ]
	content "$(NEWEST)" >"$T/via-bdat"
	TALK_EVAL=1 run talk $EX_SMTP "$ENV + b'DATA\r\n' + $stuffed + b'QUIT\r\n'"
	[ "$(replies)" = "250 250 354 250 221 " ]
	content "$(NEWEST)" >"$T/via-data"
	cmp "$T/via-bdat" "$T/via-data"
	grep -q '^\.leading dot$' "$T/via-bdat"
}

@test "over max_message_size: the chunk is read to its end, then 552; later chunks 503" {
	before=$(maildir_count b@limited.example)
	big="b''.join(b'%0998d\r\n' % i for i in range(2))"
	TALK_EVAL=1 run talk $LIM_SMTP "b'EHLO c\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\n' + bdat($big) + bdat(b'NOOP\r\n', True) + b'NOOP\r\nQUIT\r\n'"
	[ "$(replies)" = "250 250 552 503 250 221 " ]
	[[ "$output" == *"552 5.3.4 Error: message file too big"* ]]
	[ "$(maildir_count b@limited.example)" -eq "$before" ]
}

@test "sequencing: BDAT before MAIL or RCPT 503 with its octets dropped, DATA after BDAT 503, bad syntax 501" {
	before=$(maildir_count usr1@mail.sustech.edu.cn)
	TALK_EVAL=1 run talk $EX_SMTP "b'EHLO c\r\n' + bdat(b'NOOP\r\n') + b'MAIL FROM:<x@elsewhere.example>\r\n' + bdat(b'RSET\r\n', True) + b'MAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\n' + bdat(b'Subject: a\r\n') + b'DATA\r\n' + bdat(b'\r\nb\r\n', True) + b'BDAT x\r\nQUIT\r\n'"
	# the chunks' NOOP and RSET are content, never commands
	[ "$(replies)" = "503 250 503 250 250 250 503 250 501 221 " ]
	[[ "$output" == *"503 5.5.1 Error: need MAIL command"* ]]
	[[ "$output" == *"503 5.5.1 Error: need RCPT command"* ]]
	[[ "$output" == *"503 5.5.1 Error: DATA after BDAT"* ]]
	[[ "$output" == *"501 5.5.4 Syntax: BDAT chunk-size [LAST]"* ]]
	[ "$(maildir_count usr1@mail.sustech.edu.cn)" -eq $((before + 1)) ]
	[ "$(content "$(NEWEST)")" = "$(printf 'Subject: a\n\nb\n')" ]
}

@test "RSET discards the chunks so far; two pipelined transactions in one write are both stored" {
	before=$(maildir_count usr1@mail.sustech.edu.cn)
	TALK_EVAL=1 run talk $EX_SMTP "$ENV + bdat(b'Subject: dropped\r\n') + b'RSET\r\nMAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\n' + bdat(b'Subject: kept 1\r\n\r\n', True) + b'MAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<usr1@mail.sustech.edu.cn>\r\n' + bdat(b'Subject: kept 2\r\n') + bdat(b'\r\nz\r\n', True) + b'QUIT\r\n'"
	[ "$(replies)" = "250 250 250 250 250 250 250 250 250 250 250 221 " ]
	[ "$(maildir_count usr1@mail.sustech.edu.cn)" -eq $((before + 2)) ]
	! grep -rq 'Subject: dropped' "$T"/data/exmail.qq.com/mail/usr1@mail.sustech.edu.cn/new/
	grep -rq 'Subject: kept 1' "$T"/data/exmail.qq.com/mail/usr1@mail.sustech.edu.cn/new/
	grep -rq 'Subject: kept 2' "$T"/data/exmail.qq.com/mail/usr1@mail.sustech.edu.cn/new/
}

@test "a client that stops in the middle of a chunk gets 421 after data_timeout" {
	before=$(maildir_count b@limited.example)
	TALK_EVAL=1 run talk $LIM_SMTP "b'EHLO c\r\nMAIL FROM:<a@limited.example>\r\nRCPT TO:<b@limited.example>\r\nBDAT 100 LAST\r\nonly a few'"
	[[ "$output" == *"421 4.4.2 limited.example Error: timeout exceeded"* ]]
	[ "$(maildir_count b@limited.example)" -eq "$before" ]
}
