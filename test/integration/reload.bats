#!/usr/bin/env bats
# reload.bats - SIGHUP to mail-server reloads accounts, limits and logging (issue 12):
# a new account logs in by POP3 and receives mail, a new max_message_size shows in EHLO
# SIZE, a broken file keeps the old configuration serving (reason logged), and what
# needs a restart (a port) is logged as such and kept.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	exmail_topology
}

teardown_file() { common_teardown_file; }

# hup_and_wait PATTERN: SIGHUP to exmail.qq.com, then until its log has one more line
# matching PATTERN than before.
hup_and_wait() {
	local before i
	before=$(grep -cE "$1" "$T/exmail.qq.com.log" || true)
	kill -HUP "$(awk '$2 == "exmail.qq.com" { p = $1 } END { print p }' "$T/pids")"
	for ((i = 0; i < 600; i++)); do
		[ "$(grep -cE "$1" "$T/exmail.qq.com.log" || true)" -gt "$before" ] && return 0
		nap 0.05
	done
	echo "no new line matching '$1' in $T/exmail.qq.com.log" >&2
	return 1
}

# ehlo_size: the SIZE the SMTP server announces in EHLO.
ehlo_size() {
	python3 - "$EX_SMTP" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), "reload-test", timeout=10) as s:
    s.ehlo()
    print(s.esmtp_features.get("size", "none"))
PY
}

# pop_login USER PASS: prints the PASS reply and STAT.
pop_login() {
	python3 - "$EX_POP" "$1" "$2" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user(sys.argv[2])
try:
    print(p.pass_(sys.argv[3]).decode()); print("stat %d %d" % p.stat()); p.quit()
except poplib.error_proto as e:
    print(e.args[0].decode())
PY
}

@test "an account added to the file and SIGHUP: it logs in by POP3 and receives mail" {
	run pop_login usr9@mail.sustech.edu.cn pass9
	assert_output --partial "-ERR"
	sed -i 's/^      usr2@mail.sustech.edu.cn: pass2$/&\n      usr9@mail.sustech.edu.cn: pass9/' "$CONF"
	hup_and_wait 'reloaded conf='
	send_mail "127.0.0.1:$EX_SMTP" usr@gmail.com "after reload" usr9@mail.sustech.edu.cn
	run pop_login usr9@mail.sustech.edu.cn pass9
	assert_line --index 0 --regexp '^\+OK'
	assert_line --regexp '^stat 1 [0-9]+$'
}

@test "limits.max_message_size changed and SIGHUP: EHLO announces the new SIZE" {
	[ "$(ehlo_size)" = 10485760 ]
	sed -i "s/^    pop: $EX_POP\$/&\n    limits: { max_message_size: 123456 }/" "$CONF"
	hup_and_wait 'reloaded conf=.*max_message_size=123456'
	[ "$(ehlo_size)" = 123456 ]
}

@test "a broken file on SIGHUP: the old configuration keeps serving and the reason is logged" {
	cp "$CONF" "$T/good.yaml"
	printf 'limits:\n  max_recipients: many\n' >>"$CONF"
	hup_and_wait 'reload failed, keeping the running configuration'
	grep -E 'reload failed.*limits.max_recipients' "$T/exmail.qq.com.log"
	run pop_login usr9@mail.sustech.edu.cn pass9
	assert_line --index 0 --regexp '^\+OK'
	[ "$(ehlo_size)" = 123456 ]
	run "$MAIL_BIN/mail-server" --check --conf "$CONF"
	assert_equal "$status" 78
	assert_output --partial "limits.max_recipients"
	cp "$T/good.yaml" "$CONF"
}

@test "a changed port on SIGHUP is logged as needing a restart and the old one keeps serving" {
	local port
	port=$(free_ports 1)
	sed -i "s/^    smtp: $EX_SMTP\$/    smtp: $port/" "$CONF"
	hup_and_wait 'reload: smtp changed .* needs a restart'
	[ "$(ehlo_size)" = 123456 ]
	run nc -z 127.0.0.1 "$port"
	assert_failure
	sed -i "s/^    smtp: $port\$/    smtp: $EX_SMTP/" "$CONF"
}

@test "dns.resolvers changed on SIGHUP is logged as needing a restart" {
	sed -i "s|^  zone: zone.yaml|&\n  resolvers: [127.0.0.1:9]|" "$CONF"
	hup_and_wait 'reload: dns.resolvers changed .* needs a restart'
	sed -i '/^  resolvers: \[127.0.0.1:9\]$/d' "$CONF"
}

@test "journal.keep changed on SIGHUP is logged as needing a restart" {
	sed -i "s/^    pop: $EX_POP\$/&\n    journal: { keep: 5 }/" "$CONF"
	hup_and_wait 'reload: journal.keep changed .* needs a restart'
	sed -i '/^    journal: { keep: 5 }$/d' "$CONF"
}

@test "logging.level changed to debug and SIGHUP: new sessions log their transcript" {
	run grep -ci '<<< "ehlo reload-test"' "$T/exmail.qq.com.log"
	assert_output "0"
	sed -i "s/^    pop: $EX_POP\$/&\n    logging: { level: debug }/" "$CONF"
	hup_and_wait 'reloaded conf=.*level=debug'
	ehlo_size
	grep -qi '<<< "ehlo reload-test"' "$T/exmail.qq.com.log"
}

# Issue 24: a recipient's route is decided at RCPT, from the session's configuration, and
# carried to the end of DATA; a reload in between does not move it.
@test "an account removed by SIGHUP between RCPT and the final dot still gets that transaction's copy" {
	local before
	before=$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)
	python3 - "$EX_SMTP" "$T" <<'PY' &
import smtplib, sys, os, time
port, t = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", port, "reload-test", timeout=30)
s.ehlo()
assert s.mail("usr@gmail.com")[0] == 250
assert s.rcpt("usr1@mail.sustech.edu.cn")[0] == 250
open(t + "/rcpt-done", "w").close()
deadline = time.time() + 30
while not os.path.exists(t + "/hup-done") and time.time() < deadline:
    time.sleep(0.05)
code, text = s.data(b"Subject: routed at RCPT\r\n\r\nbody\r\n")
assert code == 250, (code, text)
s.quit()
PY
	local client=$! i
	for ((i = 0; i < 600; i++)); do [ -e "$T/rcpt-done" ] && break; nap 0.05; done
	[ -e "$T/rcpt-done" ]
	cp "$CONF" "$T/with-usr1.yaml"
	sed -i '/^      usr1@mail.sustech.edu.cn: pass1$/d' "$CONF"
	hup_and_wait 'reloaded conf='
	touch "$T/hup-done"
	wait "$client"
	# The copy went into usr1's Maildir, nothing was queued (no bounce on its way back).
	[ "$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)" -eq $((before + 1)) ]
	grep -E 'accepted id=.*rcpts=1 local=1 remote=0' "$T/exmail.qq.com.log" | tail -1 | grep -q 'queue=-'
	# A new transaction sees the reload: usr1 is now unknown.
	run send_mail "127.0.0.1:$EX_SMTP" usr@gmail.com "after removal" usr1@mail.sustech.edu.cn
	assert_failure
	cp "$T/with-usr1.yaml" "$CONF"
	hup_and_wait 'reloaded conf='
}

@test "dns.register added on SIGHUP is logged as needing a restart" {
	sed -i "s/^    pop: $EX_POP\$/&\n    dns: { register: { server: 127.0.0.1:9, zone: qq.com, key_name: class-key, key_secret: c2VjcmV0 } }/" "$CONF"
	hup_and_wait 'reload: dns.register changed .* needs a restart'
	sed -i '/^    dns: { register: /d' "$CONF"
}

# dns_said_more N: mail-dns has logged more than N lines saying dns.updates needs a restart.
dns_said_more() {
	[ "$(grep -cE 'reload: dns.updates changed .* needs a restart' "$T/mail-dns.log" || true)" -gt "$1" ]
}

@test "dns.updates changed on SIGHUP makes mail-dns say it needs a restart" {
	local before
	before=$(grep -cE 'reload: dns.updates changed .* needs a restart' "$T/mail-dns.log" || true)
	sed -i "s|^  zone: zone.yaml|&\n  updates: [ { zone: qq.com, keys: [ { name: class-key, secret: c2VjcmV0 } ] } ]|" "$CONF"
	kill -HUP "$(awk '$2 == "mail-dns" { p = $1 } END { print p }' "$T/pids")"
	wait_until 30 dns_said_more "$before"
	sed -i '/^  updates: \[ { zone: qq.com/d' "$CONF"
}
