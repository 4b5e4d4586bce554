#!/usr/bin/env bats
# imap_clients.bats - real IMAP clients against mail-server's imap: and imaps: ports: curl
# imap:// (STARTTLS) and imaps:// (list, fetch by UID), openssl s_client -starttls imap,
# fetchmail and mutt over IMAP with STARTTLS. Messages arrive by SMTP (stored with LF).

load ../lib/common
load ../lib/pop3
load ../lib/imap

setup_file() {
	common_setup_file
	imap_topology
	start_imap_test
	python3 - "$P_SMTP" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    for n in (1, 2):
        s.sendmail("x@example.org", ["bob@pop.test"], "From: x@example.org\r\nTo: bob@pop.test\r\nSubject: client test %d\r\n\r\nbody line %d\r\n" % (n, n))
PY
}

teardown_file() { common_teardown_file; }

# stored N: the Nth message file of bob@pop.test in delivery order.
stored() {
	local f
	for f in "$MAILROOT"/bob@pop.test/new/* "$MAILROOT"/bob@pop.test/cur/*; do
		[ -f "$f" ] && printf '%s %s\n' "$(basename "$f")" "$f"
	done | sort -t. -k1,1n -k2.2,2n | sed -n "${1}p" | cut -d' ' -f2 # seconds, then the microseconds after .M (not zero-padded)
}

@test "curl imap:// with STARTTLS lists INBOX and fetches by UID; imaps:// the same" {
	run curl -sS --max-time 10 --ssl-reqd -k "imap://bob%40pop.test:bobpw@127.0.0.1:$P_IMAP/"
	assert_success
	assert_output --partial '* LIST (\HasNoChildren) "/" INBOX'
	# curl writes the message as IMAP sends it (CRLF); the file holds LF line ends.
	curl -sS --max-time 10 --ssl-reqd -k -o "$T/curl.1" "imap://bob%40pop.test:bobpw@127.0.0.1:$P_IMAP/INBOX;UID=1"
	cmp <(tr -d '\r' <"$T/curl.1") "$(stored 1)"
	curl -sS --max-time 10 -k -o "$T/curl.2" "imaps://bob%40pop.test:bobpw@127.0.0.1:$P_IMAPS/INBOX;UID=2"
	cmp <(tr -d '\r' <"$T/curl.2") "$(stored 2)"
	grep -q "body line 2" "$T/curl.2"
}

@test "openssl s_client -starttls imap: LOGIN, SELECT and LOGOUT over the upgraded connection" {
	run bash -c "printf 'a1 LOGIN bob@pop.test bobpw\r\na2 SELECT INBOX\r\na3 LOGOUT\r\n' | timeout 10 openssl s_client -quiet -starttls imap -connect 127.0.0.1:$P_IMAP 2>/dev/null | tr -d '\r'"
	assert_success
	assert_line --regexp '^a1 OK \[CAPABILITY .*\] LOGIN completed$'
	assert_line --regexp '^a2 OK \[READ-WRITE\] SELECT completed$'
	assert_line "a3 OK LOGOUT completed"
}

@test "fetchmail over IMAP with STARTTLS retrieves the messages" {
	mkdir -p "$T/fm"
	printf 'poll localhost protocol imap port %s user "bob@pop.test" password "bobpw" sslcertfile "%s" keep\n' \
		"$P_IMAP" "$T/tls/cert.pem" >"$T/fm/rc"
	chmod 600 "$T/fm/rc"
	run env HOME="$T/fm" timeout 30 fetchmail -f "$T/fm/rc" -v --nosyslog --all --mda "cat >> $T/fm/mbox"
	assert_success
	assert_output --partial "IMAP> A0001 STARTTLS"
	assert_output --partial "IMAP< A0001 OK Begin TLS negotiation now"
	grep -q "Subject: client test 1" "$T/fm/mbox"
	grep -q "Subject: client test 2" "$T/fm/mbox"
}

@test "mutt over IMAP with STARTTLS shows the index and opens a message" {
	cat >"$T/muttrc" <<RC
set folder="imap://bob%40pop.test@127.0.0.1:$P_IMAP/"
set spoolfile="+INBOX"
set imap_pass="bobpw"
set ssl_starttls=yes
set ssl_force_tls=yes
set ssl_verify_host=no
set certificate_file="$T/mutt_certificates"
set header_cache=""
set message_cachedir=""
set mail_check=60
set timeout=60
RC
	local sock="imap$$" screen= i
	tmux -L "$sock" new-session -d -x 120 -y 30 "env TERM=xterm LANG=C.UTF-8 HOME=$T mutt -n -F '$T/muttrc'"
	# Wait for the index, accepting the self-signed certificate once when asked.
	for ((i = 0; i < 300; i++)); do
		screen=$(tmux -L "$sock" capture-pane -p)
		if grep -q "client test 2" <<<"$screen"; then break; fi
		if grep -q "ccept (o)nce" <<<"$screen"; then tmux -L "$sock" send-keys o; fi
		nap 0.1
	done
	tmux -L "$sock" send-keys Enter
	for ((i = 0; i < 300; i++)); do
		screen=$(tmux -L "$sock" capture-pane -p)
		grep -q "body line" <<<"$screen" && break
		nap 0.1
	done
	tmux -L "$sock" send-keys q q
	tmux -L "$sock" kill-server 2>/dev/null || true
	grep -q "body line" <<<"$screen" || fail "mutt screen: $screen"
	# mutt's read set \Seen through IMAP: a file in cur/ with ,S in its flags.
	ls "$MAILROOT"/bob@pop.test/cur/ | grep -q ':2,S$'
}
