#!/usr/bin/env bats
# relay_tls.bats - relay.tls between two TLS-enabled providers (certificates from
# scripts/make-cert.sh): opportunistic STARTTLS shows in the receiver's Received header
# and the sender's log, none stays plaintext, verify defers a self-signed peer with
# 4.7.5 and delivers once tls.ca trusts that certificate.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	"$REPO_ROOT/scripts/make-cert.sh" "$T/tls" >/dev/null
}

teardown_file() { common_teardown_file; }

teardown() { stop_all; }

# tls_topology MODE [CA]: the demo topology with tls: for both providers, relay.tls MODE
# and tls.ca CA; a fresh data directory; mail-dns and both servers running.
tls_topology() {
	EXTRA_RELAY="  tls: $1" make_topology
	printf 'tls:\n  cert: %s/tls/cert.pem\n  key: %s/tls/key.pem\n' "$T" "$T" >>"$CONF"
	[ -z "${2:-}" ] || printf '  ca: %s\n' "$2" >>"$CONF"
	rm -rf "$T/data"
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
}

# relay_one SUBJECT: usr1 (exmail.qq.com) sends one message to usr@gmail.com.
relay_one() { send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "$1" usr@gmail.com; }

# relayed MODE SUBJECT: tls_topology MODE, relay_one SUBJECT, and once it has arrived
# the gmail.com mailbox in $output.
relayed() {
	tls_topology "$1"
	relay_one "$2"
	wait_count usr@gmail.com gmail.com 1 30
	run mailbox_text usr@gmail.com gmail.com
}

@test "opportunistic: STARTTLS between providers; Received and the relay log name version and cipher" {
	relayed opportunistic "over tls"
	assert_output --regexp $'\tby gmail.com \\(mail-server\\) with ESMTPS'
	assert_output --regexp $'\t\\(using TLSv1\\.[23] with cipher [A-Z0-9_-]+ \\([0-9]+/[0-9]+ bits\\)\\)'
	wait_log exmail.qq.com 'relay delivered to=<usr@gmail.com> .* tls="TLSv1\.[23] with cipher [A-Z0-9_-]+ ' 30
	grep -qE 'tls established relay=gmail-smtp-in.l.google.com\[127.0.0.1\]:[0-9]+ verified=no' "$T/exmail.qq.com.log"
	# the journal's relay.attempt names it too, and its commands show the STARTTLS
	wait_grep "$T/data/exmail.qq.com/events.jsonl" '"type":"relay.attempt"' 30
	jq -e -s 'map(select(.type == "relay.attempt" and (.tls // "" | test("^TLSv1\\.[23] with cipher")) and (.commands | map(.c) | index("STARTTLS") != null))) | length >= 1' \
		"$T/data/exmail.qq.com/events.jsonl" >/dev/null
}

@test "relay.tls: none sends in plaintext although the peer offers STARTTLS" {
	relayed none "in clear"
	assert_output --regexp $'\tby gmail.com \\(mail-server\\) with ESMTP id'
	refute_output --partial "(using TLS"
	wait_log exmail.qq.com 'relay delivered to=<usr@gmail.com> .* tls="?none' 30
	run grep -c "tls established" "$T/exmail.qq.com.log"
	assert_output "0"
}

@test "verify: a self-signed peer is deferred with 4.7.5 and the reason, and nothing is delivered" {
	tls_topology verify
	relay_one "must verify"
	wait_log exmail.qq.com 'relay deferred to=<usr@gmail.com> .*status=4\.7\.5 reason=".*certificate verification or handshake failed' 30
	[ "$(maildir_count usr@gmail.com gmail.com)" -eq 0 ]
	[ "$(queue_count exmail.qq.com)" -eq 1 ]
	run "$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/data" queue
	assert_output --partial "status=4.7.5"
}

@test "verify: with tls.ca trusting the peer's certificate the message is delivered" {
	tls_topology verify "$T/tls/cert.pem"
	relay_one "verified"
	wait_count usr@gmail.com gmail.com 1 30
	wait_log exmail.qq.com 'tls established relay=gmail-smtp-in.l.google.com\[127.0.0.1\]:[0-9]+ verified=yes' 30
	run mailbox_text usr@gmail.com gmail.com
	assert_output --partial "(using TLSv1."
}
