#!/usr/bin/env bats
# pop3_readonly.bats - issue 10 fault 9: a Maildir on a read-only file system is still
# readable by POP3 (STAT, LIST, UIDL, RETR), DELE is refused with a clear -ERR, and no
# message is lost. The Maildirs are bind-mounted read-only over themselves; where this
# machine cannot mount (no privilege), the tests are skipped and say so.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	exmail_topology
	for i in 1 2; do send_mail "127.0.0.1:$EX_SMTP" usr@gmail.com "ro $i" usr1@mail.sustech.edu.cn usr2@mail.sustech.edu.cn; done
	# usr1 has logged in once, so its .lock exists; usr2 never has (no .lock to open).
	pop_session usr1@mail.sustech.edu.cn pass1 STAT >/dev/null
	MOUNTED=""
	local box
	for box in usr1 usr2; do
		box="$T/data/exmail.qq.com/mail/$box@mail.sustech.edu.cn"
		if mount --bind "$box" "$box" 2>/dev/null && mount -o remount,bind,ro "$box" 2>/dev/null; then
			MOUNTED+="$box "
		else
			umount "$box" 2>/dev/null || true
		fi
	done
	export MOUNTED
}

teardown_file() {
	local box
	for box in ${MOUNTED:-}; do umount "$box" || true; done
	common_teardown_file
}

# pop_session USER PASS COMMAND...: one POP3 session (python poplib) running each
# command in order, then QUIT; prints each reply's first line, RETR's message text.
pop_session() {
	python3 - "$EX_POP" "$@" <<'PY'
import poplib, sys
port, user, password, commands = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user(user)
print(p.pass_(password).decode())
for c in commands:
    try:
        if c.startswith("RETR"):
            resp, lines, _ = p.retr(int(c.split()[1]))
            print(resp.decode()); print("\n".join(l.decode() for l in lines))
        elif c.startswith("LIST"):
            resp, lines, _ = p.list()
            print(resp.decode()); print("\n".join(l.decode() for l in lines))
        else:
            print(p._shortcmd(c).decode())
    except poplib.error_proto as e:
        print(e.args[0].decode())
print(p.quit().decode())
PY
}

need_mount() {
	[[ " $MOUNTED" == *" $T/data/exmail.qq.com/mail/$1@mail.sustech.edu.cn "* ]] ||
		skip "cannot bind-mount read-only here (needs mount privilege)"
}

@test "a read-only Maildir with its .lock: STAT, LIST and RETR work, DELE is refused, nothing is lost" {
	need_mount usr1
	run pop_session usr1@mail.sustech.edu.cn pass1 STAT "LIST" "RETR 2" "DELE 1" STAT
	assert_success
	assert_line --index 0 --regexp '^\+OK maildrop has 2 messages'
	assert_line --index 1 --regexp '^\+OK 2 [0-9]+$'
	assert_output --partial "Subject: ro 2"
	assert_line "-ERR [SYS/PERM] mailbox is read-only; messages cannot be deleted"
	assert_line --index -1 --regexp '^\+OK'
	[ "$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)" -eq 2 ]
	grep -q 'mailbox read-only user="\?usr1@mail.sustech.edu.cn' "$T/exmail.qq.com.log"
}

@test "a read-only Maildir that never had a .lock is still read, and locked against a second session" {
	need_mount usr2
	[ ! -e "$T/data/exmail.qq.com/mail/usr2@mail.sustech.edu.cn/.lock" ]
	run pop_session usr2@mail.sustech.edu.cn pass2 "RETR 1" "DELE 2"
	assert_success
	assert_line --index 0 --regexp '^\+OK maildrop has 2 messages'
	assert_output --partial "Subject: ro 1"
	assert_line --partial "-ERR [SYS/PERM] mailbox is read-only"
	# While one session holds it, a second login gets [IN-USE] (the directory is the lock).
	run python3 - "$EX_POP" <<'PY'
import poplib, sys
port = int(sys.argv[1])
a = poplib.POP3("127.0.0.1", port, timeout=10); a.user("usr2@mail.sustech.edu.cn"); a.pass_("pass2")
b = poplib.POP3("127.0.0.1", port, timeout=10); b.user("usr2@mail.sustech.edu.cn")
try:
    b.pass_("pass2"); print("second login accepted")
except poplib.error_proto as e:
    print(e.args[0].decode())
a.quit()
PY
	assert_output --partial "-ERR [IN-USE]"
	[ "$(maildir_count usr2@mail.sustech.edu.cn exmail.qq.com)" -eq 2 ]
}
