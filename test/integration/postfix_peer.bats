#!/usr/bin/env bats
# postfix_peer.bats - Postfix as a peer, both ways, bounces included. A private Postfix
# (scripts/postfix.sh: its own config, queue and data directories under $T, SMTP on one
# loopback port) hosts pf.example in a virtual Maildir under $T/pf/mail; it relays gmail.com
# to our gmail.com server through a transport map, and our servers reach pf.example through
# its MX and P records. An unknown user is refused at RCPT, except gone@pf.example, which
# Postfix accepts and then bounces (its own DSN, sent back to us). Skipped (counted) where postfix is not installed. docs/interop.md
# says what these runs found on the wire.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	if ! command -v postfix >/dev/null; then
		export PF_SKIP="postfix is not installed (scripts/install-deps.sh test)"
		return 0
	fi
	chmod 755 "$T"
	export PF=$T/pf PF_PORT
	PF_PORT=$(free_ports 1)
	make_topology "pf.example 10 mx.pf.example $PF_PORT"
	# a small SIZE for gmail.com, so Postfix's handling of the SIZE we announce can be seen
	sed -i 's/^  gmail.com:$/  gmail.com:\n    limits: { max_message_size: 20000 }/' "$CONF"
	start_dns
	start_server gmail.com
	mkdir -p "$PF/conf" "$PF/mail"
	chown nobody:nogroup "$PF/mail"
	printf '%s\n' "alice@pf.example pf.example/alice/" "bob@pf.example pf.example/bob/" >"$PF/conf/vmailbox"
	echo "gmail.com smtp:[127.0.0.1]:$GM_SMTP" >"$PF/conf/transport"
	# gone@pf.example is unlisted like nobody@, but let in at RCPT: the virtual agent bounces it
	echo "gone@pf.example OK" >"$PF/conf/late"
	. "$REPO_ROOT/scripts/postfix.sh"
	start_postfix "$PF" "$PF_PORT" mx.pf.example <<CF
virtual_mailbox_domains = pf.example
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/conf/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
transport_maps = texthash:$PF/conf/transport
smtpd_reject_unlisted_recipient = no
smtpd_recipient_restrictions = check_recipient_access texthash:$PF/conf/late, reject_unlisted_recipient
smtp_tls_security_level = none
bounce_queue_lifetime = 0
debug_peer_list = 127.0.0.1
CF
	wait_port "$PF_PORT" 30
}

teardown_file() {
	[ -f "${PF:-}/conf/main.cf" ] && postfix -c "$PF/conf" stop >/dev/null 2>&1
	common_teardown_file
}

setup() {
	[ -z "${PF_SKIP:-}" ] || skip "$PF_SKIP"
}

# pf_count USER N SECONDS: until Postfix's Maildir of USER@pf.example holds N messages.
pf_count() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		[ "$(find "$PF/mail/pf.example/$1/new" "$PF/mail/pf.example/$1/cur" -type f 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		nap 0.05
	done
	echo "Postfix mailbox $1 has fewer than $2 messages; its log:" >&2
	tail -20 "$PF/maillog" >&2
	return 1
}

# send_8bit HOST:PORT FROM TO SUBJECT [LONG]: a UTF-8 8bit message declared BODY=8BITMIME,
# with a LONG-octet line in its body when LONG is given.
send_8bit() {
	python3 - "$@" <<'PY'
import smtplib, sys
host, port = sys.argv[1].rsplit(":", 1)
sender, rcpt, subject = sys.argv[2:5]
long_line = "x" * int(sys.argv[5]) + "\r\n" if len(sys.argv) > 5 else ""
msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
       "caf\u00e9 \u4e2d\u6587\r\n%send\r\n" % (sender, rcpt, subject, long_line)).encode()
with smtplib.SMTP(host, int(port), "relay-test", timeout=10) as s:
    s.sendmail(sender, [rcpt], msg, mail_options=["BODY=8BITMIME"])
PY
}

pf_text() { find "$PF/mail/pf.example/$1/new" "$PF/mail/pf.example/$1/cur" -type f -exec cat {} + 2>/dev/null; }

# received_chain: the message on stdin parses with Python's email package, every Received
# header splits into its clauses and a date parseable by email.utils; prints one "from" per hop.
received_chain() {
	python3 -c '
import email, email.policy, email.utils, sys
msg = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
hops = msg.get_all("Received") or sys.exit("no Received header")
for h in hops:
    text = " ".join(str(h).split())
    clauses, _, date = text.rpartition(";")
    if not clauses or email.utils.parsedate_to_datetime(date.strip()) is None:
        sys.exit("unparseable Received: %r" % text)
    if not clauses.startswith("from ") or " by " not in clauses:
        sys.exit("Received without from/by: %r" % text)
    print(clauses.split()[1])
'
}

@test "Postfix relays into mail-server: the message arrives and its Received chain parses" {
	send_mail "127.0.0.1:$PF_PORT" alice@pf.example "from postfix" usr@gmail.com
	wait_count usr@gmail.com gmail.com 1 30 >/dev/null
	local file
	file=$(find "$T/data/gmail.com/mail/usr@gmail.com/new" -type f | head -1)
	grep -q '^Subject: from postfix' "$file"
	run received_chain <"$file"
	echo "$output"
	[ "$status" -eq 0 ]
	# our hop (from Postfix's EHLO name) on top of Postfix's own (from the test client)
	[ "${lines[0]}" = mx.pf.example ]
	[ "${#lines[@]}" -ge 2 ]
	grep -q '^Return-Path: <alice@pf.example>' "$file"
}

@test "mail-server relays to Postfix through its MX and P records" {
	send_mail "127.0.0.1:$GM_SMTP" usr@gmail.com "to postfix" bob@pf.example
	pf_count bob 1 20
	pf_text bob | grep -q '^Subject: to postfix'
	wait_log gmail.com "relay delivered to=<bob@pf.example> relay=mx.pf.example\[127.0.0.1\]:$PF_PORT" 30
	run received_chain < <(pf_text bob)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = gmail.com ]
}

@test "Postfix's bounce for a user it accepted comes back to our sender as a DSN we deliver" {
	local before
	before=$(maildir_count usr@gmail.com gmail.com)
	send_mail "127.0.0.1:$GM_SMTP" usr@gmail.com "for gone" gone@pf.example
	wait_count usr@gmail.com gmail.com $((before + 1)) 30 >/dev/null
	wait_log gmail.com "relay delivered to=<gone@pf.example>" 30 # logged once Postfix's 250 is read
	local dsn
	dsn=$(grep -l 'for gone' "$T"/data/gmail.com/mail/usr@gmail.com/new/* | head -1)
	[ -n "$dsn" ]
	grep -q '^Return-Path: <>' "$dsn"
	python3 - "$dsn" <<'PY'
import email, email.policy, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert msg.get_content_type() == "multipart/report", msg.get_content_type()
assert msg.get_param("report-type") == "delivery-status"
status = [p for p in msg.walk() if p.get_content_type() == "message/delivery-status"]
assert status, "no delivery-status part"
text = status[0].as_string()
assert "gone@pf.example" in text and "Action: failed" in text and "Status: 5.1.1" in text, text
PY
}

@test "Postfix refusing an unknown user at RCPT: our DSN reaches our sender" {
	local before
	before=$(maildir_count usr@gmail.com gmail.com)
	send_mail "127.0.0.1:$GM_SMTP" usr@gmail.com "for nobody" nobody@pf.example
	wait_count usr@gmail.com gmail.com $((before + 1)) 30 >/dev/null
	local dsn
	dsn=$(grep -l 'nobody@pf.example' "$T"/data/gmail.com/mail/usr@gmail.com/new/* | head -1)
	[ -n "$dsn" ]
	grep -q 'Content-Type: multipart/report' "$dsn"
	grep -q '^Diagnostic-Code: smtp; 550' "$dsn"
	grep -q 'User unknown' "$dsn"
}

@test "our 550 at RCPT comes back to the Postfix sender as Postfix's bounce" {
	send_mail "127.0.0.1:$PF_PORT" alice@pf.example "for our unknown" nobody@gmail.com
	pf_count alice 1 30
	run pf_text alice
	[[ "$output" == *"From: Mail Delivery System <MAILER-DAEMON@mx.pf.example>"* ]]
	[[ "$output" == *"<nobody@gmail.com>"* ]]
	# Postfix quotes our reply, enhanced status code included
	[[ "$output" =~ said:\ 550\ 5\.1\.1 ]]
	[[ "$output" == *"Status: 5.1.1"* ]]
}

@test "8-bit mail both ways is declared BODY=8BITMIME (RFC 6152) and arrives intact" {
	local before
	before=$(find "$PF/mail/pf.example/bob" -type f 2>/dev/null | wc -l)
	send_8bit "127.0.0.1:$GM_SMTP" usr@gmail.com bob@pf.example "eight to postfix"
	pf_count bob $((before + 1)) 20
	pf_text bob | grep -q $'^caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87$'
	# Postfix's debug_peer_list log shows our relay's MAIL command
	grep -qE "postfix/smtpd.*< localhost\[127.0.0.1\]: MAIL FROM:<usr@gmail.com> SIZE=[0-9]+ BODY=8BITMIME$" "$PF/maillog"
	before=$(maildir_count usr@gmail.com gmail.com)
	send_8bit "127.0.0.1:$PF_PORT" alice@pf.example usr@gmail.com "eight from postfix"
	wait_count usr@gmail.com gmail.com $((before + 1)) 30 >/dev/null
	grep -q $'^caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87$' "$(grep -l '^Subject: eight from postfix' "$T"/data/gmail.com/mail/usr@gmail.com/new/*)"
	grep -qE "postfix/smtp\[.*> 127.0.0.1\[127.0.0.1\]:$GM_SMTP: MAIL FROM:<alice@pf.example> SIZE=[0-9]+ BODY=8BITMIME$" "$PF/maillog"
}

@test "line length: Postfix folds a 1500-octet line before relaying to us; we refuse one over 1000 (RFC 5321 4.5.3.1.6)" {
	local before file
	before=$(maildir_count usr@gmail.com gmail.com)
	send_8bit "127.0.0.1:$PF_PORT" alice@pf.example usr@gmail.com "long from postfix" 1500
	wait_count usr@gmail.com gmail.com $((before + 1)) 30 >/dev/null
	file=$(grep -l '^Subject: long from postfix' "$T"/data/gmail.com/mail/usr@gmail.com/new/*)
	[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$file")" -eq 998 ]
	grep -q '^ x' "$file"
	grep -q 'breaking line > 998 bytes' "$PF/maillog"
	run send_8bit "127.0.0.1:$GM_SMTP" usr@gmail.com bob@pf.example "long to postfix" 1500
	[ "$status" -ne 0 ]
	[[ "$output" == *"500"*"5.5.2"*"longer than 1000 octets"* ]]
}

@test "SIZE: Postfix honours the SIZE we announce and bounces a bigger message to its sender" {
	local before
	before=$(find "$PF/mail/pf.example/alice" -type f 2>/dev/null | wc -l)
	python3 - "$PF_PORT" <<'PY'
import smtplib, sys
body = ("y" * 70 + "\r\n") * 500
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), "relay-test", timeout=10) as s:
    s.sendmail("alice@pf.example", ["usr@gmail.com"], "From: alice@pf.example\r\nTo: usr@gmail.com\r\nSubject: too big for us\r\n\r\n" + body)
PY
	pf_count alice $((before + 1)) 30
	grep -qE "postfix/smtp\[.*< 127.0.0.1\[127.0.0.1\]:$GM_SMTP: 250-SIZE 20000$" "$PF/maillog"
	run pf_text alice
	[[ "$output" == *"Subject: too big for us"* ]]
	# Postfix does not even send MAIL: it compares with our EHLO SIZE and bounces (5.3.4)
	[[ "$output" =~ exceeds\ size\ limit\ 20000\ of\ server ]]
	[[ "$output" == *"Status: 5.3.4"* ]]
	[ -z "$(grep -rl 'too big for us' "$T/data/gmail.com/mail/usr@gmail.com")" ]
}
