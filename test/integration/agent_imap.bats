#!/usr/bin/env bats
# agent_imap.bats - mail-agent's imap commands against the real mail-dns and mail-server:
# the server found by its RFC 6186 SRV record (_imap._tcp, _imaps._tcp) or -I, STARTTLS and
# implicit TLS, list/read/flag/unflag/expunge and the interactive [imap]>>> shell, checked in
# the Maildir file names and against what POP3 shows of the same mailbox. Also what a mail
# client is told: the autoconfig XML lists the IMAP servers first, and they work as named.

load ../lib/common
load ../lib/http

setup_file() {
	common_setup_file
	make_topology
	local ports
	ports=($(free_ports 3))
	export EX_IMAP=${ports[0]} EX_IMAPS=${ports[1]} EX_HTTP=${ports[2]}
	"$REPO_ROOT/scripts/make-cert.sh" "$T/tls" >/dev/null
	# exmail.qq.com gets imap:, imaps: and tls: (gmail.com stays without IMAP) and one
	# account per test, so that no test depends on another's mailbox
	sed -i "s/^    pop: $EX_POP\$/    pop: $EX_POP\n    imap: $EX_IMAP\n    imaps: $EX_IMAPS\n    tls: { cert: tls\/cert.pem, key: tls\/key.pem }/" "$CONF"
	sed -i "s/^      usr2@mail.sustech.edu.cn: pass2\$/&\n      i1@mail.sustech.edu.cn: pw1\n      i2@mail.sustech.edu.cn: pw2\n      i3@mail.sustech.edu.cn: pw3/" "$CONF"
	add_http exmail.qq.com "$EX_HTTP"
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
	wait_port "$EX_IMAP" 30 "$(pid_of exmail.qq.com)"
	wait_port "$EX_IMAPS" 30 "$(pid_of exmail.qq.com)"
	wait_port "$EX_HTTP" 30 "$(pid_of exmail.qq.com)"
}

teardown_file() { common_teardown_file; }

agent() { timeout 30 "$MAIL_BIN/mail-agent" --conf "$CONF" "$@"; }

# deliver USER SUBJECT BODY: sent by usr1 through the agent; waits until it is stored.
deliver() {
	local before
	before=$(maildir_count "$1" exmail.qq.com)
	agent -e usr1@mail.sustech.edu.cn -p pass1 send --to "$1" --subject "$2" --body "$3" >/dev/null
	wait_until 30 holds_more_than "$1" "$before"
}
holds_more_than() { [ "$(maildir_count "$1" exmail.qq.com)" -gt "$2" ]; }

# files USER: the stored file names (new/ and cur/), one a line.
files() { find "$T/data/exmail.qq.com/mail/$1/new" "$T/data/exmail.qq.com/mail/$1/cur" -type f -printf '%f\n' | sort; }

@test "imap over STARTTLS: list with UIDs and flags, read prints it (and marks it \\Seen), the same text POP3 reads" {
	deliver i1@mail.sustech.edu.cn "first 你好" $'body one\nsecond line'
	deliver i1@mail.sustech.edu.cn "second" "body two"
	run agent -e i1@mail.sustech.edu.cn -p pw1 --tls imap list
	echo "$output"
	assert_success
	assert_line --index 0 --regexp '^1 [0-9]+ \(\) From: usr1@mail.sustech.edu.cn Subject: first 你好$'
	assert_line --index 1 --regexp '^2 [0-9]+ \(\) From: usr1@mail.sustech.edu.cn Subject: second$'
	[ "${#lines[@]}" -eq 2 ]
	run agent -e i1@mail.sustech.edu.cn -p pw1 --tls imap read 1
	assert_success
	local imap_text=$output
	[[ "$imap_text" == *"Subject: first 你好"* && "$imap_text" == *$'\n\nbody one\nsecond line'* ]]
	# POP3 message 1 is the same message, rendered the same, character for character
	run agent -e i1@mail.sustech.edu.cn -p pw1 --tls pop retr 1
	assert_success
	[ "$output" = "$imap_text" ]
	run agent -e i1@mail.sustech.edu.cn -p pw1 --tls imap stat
	assert_output --regexp '^2 messages \([0-9]+ bytes\), 1 unseen$'
	run agent -e i1@mail.sustech.edu.cn -p pw1 --tls imap list
	assert_line --index 0 --regexp '^1 [0-9]+ \(\\Seen\) From: '
	# reading set the Maildir S flag on the first file only
	[ "$(files i1@mail.sustech.edu.cn | grep -c ':2,S$')" -eq 1 ]
}

@test "imap flag and unflag: the flags the server now has, kept in the Maildir names; a missing UID fails" {
	deliver i2@mail.sustech.edu.cn "to flag" "x"
	run agent -e i2@mail.sustech.edu.cn -p pw2 --tls imap flag 1 flagged '\Answered' seen
	echo "$output"
	assert_success
	assert_output '1 (\Seen \Answered \Flagged)'
	[[ "$(files i2@mail.sustech.edu.cn)" == *":2,FRS" ]]
	run agent -e i2@mail.sustech.edu.cn -p pw2 --tls imap unflag 1 SEEN answered
	assert_success
	assert_output '1 (\Flagged)'
	[[ "$(files i2@mail.sustech.edu.cn)" == *":2,F" ]]
	run agent -e i2@mail.sustech.edu.cn -p pw2 --tls imap flag 99 seen
	assert_failure 1
	assert_output 'no message with UID 99'
	run agent -e i2@mail.sustech.edu.cn -p pw2 --tls imap flag 1 recent
	assert_failure 1
	assert_output --partial 'unknown flag recent'
	run agent -e i2@mail.sustech.edu.cn -p pw2 --tls imap read x
	assert_failure 1
	assert_output 'usage: read UID'
}

@test "imaps (implicit TLS, _imaps._tcp): flag deleted and expunge; POP3 then has one message fewer" {
	deliver i3@mail.sustech.edu.cn "keep" "kept"
	deliver i3@mail.sustech.edu.cn "drop" "dropped"
	run agent -e i3@mail.sustech.edu.cn -p pw3 --tls pop stat
	assert_output --regexp '^2 messages '
	run agent -e i3@mail.sustech.edu.cn -p pw3 --imaps imap flag 2 deleted
	assert_success
	assert_output '2 (\Deleted)'
	# \Deleted alone removes nothing: POP3 still has both
	run agent -e i3@mail.sustech.edu.cn -p pw3 --tls pop stat
	assert_output --regexp '^2 messages '
	run agent -e i3@mail.sustech.edu.cn -p pw3 --imaps imap expunge
	assert_success
	assert_output '1 message expunged'
	[ "$(maildir_count i3@mail.sustech.edu.cn exmail.qq.com)" -eq 1 ]
	run agent -e i3@mail.sustech.edu.cn -p pw3 --tls pop stat
	assert_output --regexp '^1 messages '
	run agent -e i3@mail.sustech.edu.cn -p pw3 --tls pop retr 1
	assert_output --partial 'Subject: keep'
	# UIDs are not reused: the kept message is still UID 1, the next one gets 3
	deliver i3@mail.sustech.edu.cn "third" "x"
	run agent -e i3@mail.sustech.edu.cn -p pw3 --imaps imap list
	assert_line --index 0 --regexp '^1 [0-9]+ \(\) From: .* Subject: keep$'
	assert_line --index 1 --regexp '^3 [0-9]+ \(\) From: .* Subject: third$'
}

@test "interactive imap: [imap]>>> stat, list, read, flag, noop, an error, quit; then pop in the same shell" {
	deliver usr2@mail.sustech.edu.cn "interactive" "hello there"
	run agent -e usr2@mail.sustech.edu.cn -p pass2 --tls <<<$'imap\nstat\nlist\nread 1\nflag 1 flagged\nbogus\nnoop\nquit\npop\nstat\nquit\nexit'
	echo "$output"
	assert_success
	assert_output --partial $'[smtp|pop|exit]>>> imap\nINBOX: '
	assert_output --regexp $'\\[imap\\]>>> stat\n[0-9]+ messages \\([0-9]+ bytes\\), [0-9]+ unseen\n'
	assert_output --partial $'\n\nhello there\n[imap]>>> flag 1 flagged\n1 (\\Seen \\Flagged)\n'
	assert_output --partial $'[imap]>>> bogus\nunknown command bogus ('
	assert_output --regexp $'\\[imap\\]>>> noop\nOK [^\n]*\n\\[imap\\]>>> quit\nOK [^\n]*LOGOUT'
	assert_output --regexp $'\\[pop\\]>>> stat\n[0-9]+ messages \\('
}

@test "the IMAP server: -I HOST:PORT; no SRV record gives a clear error; plain text login is refused with the server's words" {
	run agent -e usr1@mail.sustech.edu.cn -p pass1 -I "127.0.0.1:$EX_IMAP" --tls imap stat
	assert_success
	# gmail.com has no imap: port, so mail-dns has no _imap._tcp.gmail.com
	run agent -e usr@gmail.com -p pass imap stat
	assert_failure 69
	assert_output --partial 'cannot find the IMAP server of gmail.com: SRV query for _imap._tcp.gmail.com'
	assert_output --partial '(use -I HOST:PORT)'
	# ... and the interactive shell says so and goes on
	run agent -e usr@gmail.com -p pass <<<$'imap\npop\nquit\nexit'
	assert_success
	assert_output --partial 'imap: cannot find the IMAP server of gmail.com'
	assert_output --partial '[pop]>>> quit'
	# tls: is configured, so a password in plain text is refused (RFC 9051 LOGINDISABLED)
	run agent -e usr1@mail.sustech.edu.cn -p pass1 imap stat
	assert_failure 1
	assert_output --partial 'login as usr1@mail.sustech.edu.cn failed: NO [PRIVACYREQUIRED]'
	run agent -e usr1@mail.sustech.edu.cn -p wrong --tls imap stat
	assert_failure 1
	assert_output --partial 'failed (wrong user or password?): NO'
}

@test "autoconfig lists IMAP (imaps, then STARTTLS) before POP3 when imap: ports are set, and the agent logs in where it says" {
	curl -sf "http://127.0.0.1:$EX_HTTP/.well-known/autoconfig/mail/config-v1.1.xml" -o "$T/ex.xml"
	run python3 "$REPO_ROOT/test/lib/autoconfig_check.py" "$T/ex.xml" usr1@mail.sustech.edu.cn
	echo "$output"
	assert_success
	assert_line --index 0 "incoming imap 127.0.0.1 $EX_IMAPS SSL usr1@mail.sustech.edu.cn"
	assert_line --index 1 "incoming imap 127.0.0.1 $EX_IMAP STARTTLS usr1@mail.sustech.edu.cn"
	assert_line --index 2 "incoming pop3 127.0.0.1 $EX_POP STARTTLS usr1@mail.sustech.edu.cn"
	# the SRV records (RFC 6186) agree with the XML
	run dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 +short _imaps._tcp.mail.sustech.edu.cn SRV
	assert_output "0 1 $EX_IMAPS pop.exmail.qq.com."
	run dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 +short _imap._tcp.mail.sustech.edu.cn SRV
	assert_output "0 1 $EX_IMAP pop.exmail.qq.com."
	run agent -e usr1@mail.sustech.edu.cn -p pass1 -I "127.0.0.1:$EX_IMAPS" --imaps imap stat
	assert_success
	assert_output --regexp '^[0-9]+ messages \([0-9]+ bytes\), [0-9]+ unseen$'
}
