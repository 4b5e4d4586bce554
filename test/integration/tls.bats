#!/usr/bin/env bats
# tls.bats - STARTTLS (RFC 3207), STLS (RFC 2595), implicit TLS on smtps:/pops: (RFC 8314),
# SMTP AUTH PLAIN/LOGIN (RFC 4954), POP3 AUTH PLAIN (RFC 5034), submission.require_auth
# and PBKDF2 password hashes, driven with swaks, openssl s_client, curl, python's
# smtplib/poplib, fetchmail and mail-agent against the real mail-server.
#
# Topology: the demo's two providers with tls: at the top level (a certificate from
# scripts/make-cert.sh), exmail.qq.com also on smtps:/pops:, usr2's password stored as a
# hash made by `mail-agent hash-password`, debug logging, and gmail.com with
# submission.require_auth and a second account usr3@gmail.com.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	"$REPO_ROOT/scripts/make-cert.sh" "$T/tls" >/dev/null
	local ports hash
	ports=($(free_ports 2))
	export EX_SMTPS=${ports[0]} EX_POPS=${ports[1]}
	hash=$(echo pass2 | "$MAIL_BIN/mail-agent" hash-password)
	sed -i -e "s/^    pop: $EX_POP\$/    pop: $EX_POP\n    smtps: $EX_SMTPS\n    pops: $EX_POPS\n    logging: { level: debug }/" \
		-e "s|usr2@mail.sustech.edu.cn: pass2|usr2@mail.sustech.edu.cn: \"$hash\"|" \
		-e "s/^    pop: $GM_POP\$/    pop: $GM_POP\n    submission: { require_auth: true }/" \
		-e "s/^      usr@gmail.com: pass\$/      usr@gmail.com: pass\n      usr3@gmail.com: pass3/" "$CONF"
	printf 'tls:\n  cert: tls/cert.pem\n  key: tls/key.pem' >>"$CONF"
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
	wait_port "$EX_SMTPS" 30
	wait_port "$EX_POPS" 30
}

teardown_file() { common_teardown_file; }

# swaks_ex ARGS...: swaks against exmail.qq.com's SMTP port, usr1 -> usr2.
swaks_ex() {
	swaks --server "127.0.0.1:$EX_SMTP" --from usr1@mail.sustech.edu.cn --to usr2@mail.sustech.edu.cn \
		--timeout 10 "$@" 2>&1
}

@test "swaks --tls --auth PLAIN and --auth LOGIN (hashed password) send" {
	before=$(maildir_count usr2@mail.sustech.edu.cn exmail.qq.com)
	run swaks_ex --tls --auth PLAIN --auth-user usr1@mail.sustech.edu.cn --auth-password pass1
	assert_success
	assert_output --partial "235 2.7.0 Authentication successful"
	assert_output --partial "250 2.0.0 Ok: queued as"
	run swaks_ex --tls --auth LOGIN --auth-user usr2@mail.sustech.edu.cn --auth-password pass2
	assert_success
	assert_output --partial "334 UGFzc3dvcmQ6"
	assert_output --partial "235 2.7.0"
	[ "$(maildir_count usr2@mail.sustech.edu.cn exmail.qq.com)" -eq $((before + 2)) ]
}

@test "the debug transcript masks AUTH responses" {
	# The first test sent AUTH PLAIN with an initial response and AUTH LOGIN steps.
	grep -q 'AUTH PLAIN \*\*\*\*' "$T/exmail.qq.com.log"
	run grep -cE 'AHVzcjFAbWFpbC5zdXN0ZWNoLmVkdS5jbgBwYXNzMQ|cGFzczI' "$T/exmail.qq.com.log" # pass1, pass2
	assert_output "0"
}

@test "a wrong password gets 535 5.7.8, after the failure delay" {
	start=$(date +%s%N)
	run swaks_ex --tls --auth PLAIN --auth-user usr1@mail.sustech.edu.cn --auth-password wrong
	assert_failure
	assert_output --partial "535 5.7.8"
	[ $(($(date +%s%N) - start)) -ge 1000000000 ]
	# The hash string itself is not the password.
	hash=$(sed -n 's/.*usr2@mail.sustech.edu.cn: "\(.*\)"/\1/p' "$CONF")
	run swaks_ex --tls --auth PLAIN --auth-user usr2@mail.sustech.edu.cn --auth-password "$hash"
	assert_output --partial "535 5.7.8"
}

@test "before STARTTLS: no AUTH in EHLO, AUTH refused with 538, STARTTLS offered" {
	run python3 - "$EX_SMTP" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
code, text = s.ehlo("c")
print("ehlo", text.decode().replace("\n", " "))
print("auth", s.docmd("AUTH PLAIN AHVzcjFAbWFpbC5zdXN0ZWNoLmVkdS5jbgBwYXNzMQ=="))
s.quit()
PY
	assert_success
	assert_output --partial "STARTTLS"
	refute_output --partial "AUTH PLAIN LOGIN"
	assert_output --partial "auth (538, b'5.7.11 Encryption required"
}

@test "a command pipelined after STARTTLS in the same packet is not executed" {
	run python3 - "$EX_SMTP" <<'PY'
import socket, ssl, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO c\r\n")
while not f.readline().startswith(b"250 "): pass
s.sendall(b"STARTTLS\r\nNOOP\r\n")            # one send: the NOOP was injected in the clear
print("reply", f.readline().decode().strip())
s.settimeout(1)
try:
    extra = s.recv(100)                       # the server must now wait for the handshake
    print("extra", extra)
except socket.timeout:
    print("nothing before the handshake")
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s, server_hostname="localhost"); t.settimeout(5)
t.sendall(b"EHLO again\r\n")
print("first over tls", t.recv(4096).decode().splitlines()[0])
t.sendall(b"QUIT\r\n")
PY
	assert_success
	assert_line "reply 220 2.0.0 Ready to start TLS"
	assert_line "nothing before the handshake"
	assert_line "first over tls 250-exmail.qq.com"
}

@test "openssl s_client: -starttls smtp, -starttls pop3, smtps: and pops: complete" {
	run bash -c "printf 'EHLO c\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -starttls smtp -connect 127.0.0.1:$EX_SMTP 2>/dev/null | tr -d '\r'"
	assert_line --partial "250 AUTH PLAIN LOGIN"
	assert_line --partial "221 2.0.0 Bye"
	run bash -c "printf 'CAPA\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -starttls pop3 -connect 127.0.0.1:$EX_POP 2>/dev/null | tr -d '\r'"
	assert_line "SASL PLAIN"
	refute_line "STLS"
	assert_line --partial "+OK exmail.qq.com POP3 server signing off"
	run bash -c "printf 'EHLO c\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:$EX_SMTPS 2>/dev/null | tr -d '\r'"
	assert_line --partial "220 exmail.qq.com ESMTP"
	assert_line --partial "250 AUTH PLAIN LOGIN"
	refute_output --partial "STARTTLS"
	run bash -c "printf 'CAPA\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:$EX_POPS 2>/dev/null | tr -d '\r'"
	assert_line --partial "+OK exmail.qq.com POP3 server ready"
	assert_line "USER"
}

@test "curl --ssl-reqd sends over smtp:// and retrieves over pop3:// and pop3s://" {
	printf 'From: usr1@mail.sustech.edu.cn\r\nSubject: curl-tls\r\n\r\nover tls\r\n' >"$T/curl.msg"
	run curl -sSk --ssl-reqd "smtp://127.0.0.1:$EX_SMTP" --mail-from usr1@mail.sustech.edu.cn \
		--mail-rcpt usr1@mail.sustech.edu.cn --user usr1@mail.sustech.edu.cn:pass1 -T "$T/curl.msg"
	assert_success
	run curl -sSk --ssl-reqd "pop3://127.0.0.1:$EX_POP/" --user usr1@mail.sustech.edu.cn:pass1
	assert_success
	n=$(echo "$output" | wc -l)
	run curl -sSk --ssl-reqd "pop3://127.0.0.1:$EX_POP/$n" --user usr1@mail.sustech.edu.cn:pass1
	assert_success
	assert_output --partial "Subject: curl-tls"
	run curl -sSk "pop3s://127.0.0.1:$EX_POPS/$n" --user usr1@mail.sustech.edu.cn:pass1
	assert_success
	assert_output --partial "over tls"
	# Without TLS the server refuses the password, so curl cannot log in.
	run curl -sS "pop3://127.0.0.1:$EX_POP/" --user usr1@mail.sustech.edu.cn:pass1
	assert_failure
}

@test "python smtplib starttls()+login() and poplib stls() (hashed password for PASS)" {
	run python3 - "$EX_SMTP" "$EX_POP" <<'PY'
import poplib, smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.starttls(context=ctx)
s.login("usr1@mail.sustech.edu.cn", "pass1")
print("refused", s.sendmail("usr1@mail.sustech.edu.cn", ["usr2@mail.sustech.edu.cn"], "Subject: py-tls\r\n\r\nhi\r\n"))
s.quit()
p = poplib.POP3("127.0.0.1", int(sys.argv[2]), timeout=10)
try:
    p.user("usr2@mail.sustech.edu.cn")
except poplib.error_proto as e:
    print("before stls", e)
p.stls(context=ctx)
p.user("usr2@mail.sustech.edu.cn")
print(p.pass_("pass2").decode())
count = p.stat()[0]
print("last", [l.decode() for l in p.retr(count)[1] if l.startswith(b"Subject") or b" with " in l])
p.quit()
PY
	assert_success
	assert_line "refused {}"
	assert_line --partial "before stls b'-ERR [AUTH] plaintext authentication disallowed"
	assert_line --partial "+OK maildrop has"
	assert_line --regexp "^last \['.*by exmail.qq.com \(mail-server\) with ESMTPSA id .*', 'Subject: py-tls'\]"
}

@test "POP3 AUTH PLAIN over STLS logs in; a wrong one gets -ERR [AUTH]" {
	run python3 - "$EX_POP" <<'PY'
import base64, poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
for password in ("pass2", "nope"):
    p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
    p.stls(context=ctx)
    token = base64.b64encode(b"\0usr2@mail.sustech.edu.cn\0" + password.encode()).decode()
    try:
        print(password, p._shortcmd("AUTH PLAIN " + token).decode())
    except poplib.error_proto as e:
        print(password, e)
    p.quit()
PY
	assert_success
	assert_line --partial "pass2 +OK maildrop has"
	assert_line --partial "nope b'-ERR [AUTH]"
	grep -q 'pop3: .* <<< "AUTH PLAIN \*\*\*\*"' "$T/exmail.qq.com.log" # the debug transcript hides the response
	run grep -c 'AHVzcjJAbWFpbC5zdXN0ZWNoLmVkdS5jbgBwYXNzMg' "$T/exmail.qq.com.log"
	assert_output "0"
}

@test "require_auth: 530 without AUTH, 553 as another account, 250 as the sender" {
	run swaks --server "127.0.0.1:$GM_SMTP" --from usr@gmail.com --to usr3@gmail.com --tls --timeout 10
	assert_failure
	assert_output --partial "530 5.7.0 Authentication required"
	run swaks --server "127.0.0.1:$GM_SMTP" --from usr@gmail.com --to usr3@gmail.com --tls --timeout 10 \
		--auth PLAIN --auth-user usr3@gmail.com --auth-password pass3
	assert_failure
	assert_output --partial "553 5.7.1 <usr@gmail.com>: Sender address rejected: not owned by user usr3@gmail.com"
	run swaks --server "127.0.0.1:$GM_SMTP" --from usr@gmail.com --to usr3@gmail.com --tls --timeout 10 \
		--auth LOGIN --auth-user usr@gmail.com --auth-password pass
	assert_success
	# Mail from other domains for gmail.com's users needs no login.
	run swaks --server "127.0.0.1:$GM_SMTP" --from someone@example.org --to usr3@gmail.com --timeout 10
	assert_success
}

@test "mail-agent --tls --auth sends and reads; without --tls the POP3 login is refused" {
	run "$MAIL_BIN/mail-agent" --conf "$CONF" -e usr2@mail.sustech.edu.cn -p pass2 --tls --auth \
		send --to usr1@mail.sustech.edu.cn --subject agent-tls --body "through TLS"
	assert_success
	assert_output "sent to 1 recipient"
	run "$MAIL_BIN/mail-agent" --conf "$CONF" -e usr1@mail.sustech.edu.cn -p pass1 --tls pop stat
	assert_success
	n=$(echo "$output" | awk '{ print $1 }')
	run "$MAIL_BIN/mail-agent" --conf "$CONF" -e usr1@mail.sustech.edu.cn -p pass1 --tls pop top "$n" 0
	assert_success
	assert_output --partial "agent-tls"
	run "$MAIL_BIN/mail-agent" --conf "$CONF" -e usr1@mail.sustech.edu.cn -p pass1 pop stat
	assert_failure
	assert_output --partial "use STLS first"
}

@test "fetchmail with a plain rc file (STLS by default) retrieves mail" {
	swaks_ex --tls --auth PLAIN --auth-user usr1@mail.sustech.edu.cn --auth-password pass1 \
		--header "Subject: for-fetchmail" >/dev/null
	mkdir -p "$T/fm"
	printf 'poll localhost protocol pop3 port %s user "usr2@mail.sustech.edu.cn" password "pass2" sslcertfile "%s" keep\n' \
		"$EX_POP" "$T/tls/cert.pem" >"$T/fm/rc"
	chmod 600 "$T/fm/rc"
	run env HOME="$T/fm" timeout 30 fetchmail -f "$T/fm/rc" -v --nosyslog --mda "cat >> $T/fm/mbox"
	assert_success
	assert_output --partial "POP3> STLS"
	grep -q "Subject: for-fetchmail" "$T/fm/mbox"
}

@test "mail-agent hash-password: hashes verify, two hashes differ, empty is refused" {
	a=$(echo "pw 1" | "$MAIL_BIN/mail-agent" hash-password)
	b=$(echo "pw 1" | "$MAIL_BIN/mail-agent" hash-password)
	[[ $a == '$pbkdf2-sha256$i=100000$'* ]]
	[ "$a" != "$b" ]
	run python3 -c '
import base64, hashlib, sys
_, _, i, salt, h = sys.argv[1].split("$")
print(base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"pw 1", base64.b64decode(salt), int(i[2:]))).decode() == h)' "$a"
	assert_output "True"
	run bash -c "printf '' | '$MAIL_BIN/mail-agent' hash-password"
	[ "$status" -eq 64 ]
}

@test "the journal records TLS version and cipher, and AUTH with its mechanism, for each kind of session" {
	local f=$T/data/exmail.qq.com/events.jsonl
	# the tests above ran STARTTLS, smtps:, STLS and pops: sessions and AUTH PLAIN/LOGIN
	jq -e -s '[.[] | select(.type == "smtp.tls" and (.version | startswith("TLSv1.")) and (.cipher | length) > 0)] | length >= 4' "$f" >/dev/null
	jq -e -s '[.[] | select(.type == "session.open" and .tls == true)] | map(.protocol) | unique == ["pop3", "smtp"]' "$f" >/dev/null
	jq -e -s 'map(select(.type == "smtp.auth" and .ok)) | map(.mechanism) | unique | contains(["LOGIN", "PLAIN"])' "$f" >/dev/null
	jq -e -s 'map(select(.type == "smtp.auth" and (.ok | not))) | length >= 1' "$f" >/dev/null # the wrong password
	jq -e -s 'map(select(.type == "pop3.login" and .mechanism == "PLAIN" and .ok)) | length >= 1' "$f" >/dev/null
}
