#!/usr/bin/env bats
# agent_mail.bats - mail-agent against the real mail-dns and two mail-servers: the
# interactive shell driven through stdin, the send/pop one-shots, errors that keep the
# session going.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
}

teardown_file() { common_teardown_file; }

agent() { timeout 30 "$MAIL_BIN/mail-agent" --conf "$CONF" "$@"; }

# wait_count ADDRESS SERVER N: until the mailbox holds N messages (60 s at most).
wait_count() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(maildir_count "$1" "$2")" -ge "$3" ] && return 0
		nap 0.1
	done
	echo "mailbox $1 on $2 has $(maildir_count "$1" "$2"), wanted $3" >&2
	return 1
}

@test "interactive smtp: one message to recipients in two domains arrives in both" {
	local before2 beforeg
	before2=$(maildir_count usr2@mail.sustech.edu.cn exmail.qq.com)
	beforeg=$(maildir_count usr@gmail.com gmail.com)
	run agent -e usr1@mail.sustech.edu.cn -p pass1 <<<$'smtp\nusr2@mail.sustech.edu.cn\nusr@gmail.com\n\nTwo domains 你好\nbody café 中文\nexit'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\nContent: body café 中文\nsent to 2 recipients\n[smtp|pop|exit]>>> exit'* ]]
	wait_count usr2@mail.sustech.edu.cn exmail.qq.com $((before2 + 1))
	wait_count usr@gmail.com gmail.com $((beforeg + 1))
	# the relayed copy reads back through POP3 with its subject and body decoded
	local i found=""
	for ((i = 1; i <= beforeg + 1; i++)); do
		run agent -e usr@gmail.com -p pass pop retr "$i"
		if [[ "$output" == *"Subject: Two domains 你好"* && "$output" == *$'\n\nbody café 中文' ]]; then found=$i; fi
	done
	[ -n "$found" ]
}

@test "interactive pop: stat, list, retr (decoded UTF-8), uidl, dele, rset, noop, quit; an error keeps the session" {
	run agent -e usr2@mail.sustech.edu.cn -p pass2 send --to usr1@mail.sustech.edu.cn \
		--subject "Grüße 你好" --body $'première ligne\n第二行 with =equals='
	[ "$status" -eq 0 ]
	wait_count usr1@mail.sustech.edu.cn exmail.qq.com 1
	local n
	n=$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)
	run agent -e usr1@mail.sustech.edu.cn -p pass1 <<<"pop
stat
list
list $n
retr $n
top $n 0
uidl
retr 99
dele $n
stat
rset
stat
noop
quit
exit"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE "^$n messages \([0-9]+ bytes\)$" <<<"$output"
	grep -qE "^$n [0-9]+$" <<<"$output"
	[[ "$output" == *"Subject: Grüße 你好"* ]]
	[[ "$output" == *$'>\n\npremière ligne\n第二行 with =equals=\n[pop]>>> top'* ]]
	# top N 0: the headers (decoded) and no body line
	sed -n "/^\[pop\]>>> top $n 0\$/,/^\[pop\]>>> uidl\$/p" <<<"$output" >"$T/top.out"
	grep -qx 'Subject: Grüße 你好' "$T/top.out"
	[ "$(grep -c 'première' "$T/top.out")" -eq 0 ]
	sed -n '/^\[pop\]>>> uidl$/,/^\[pop\]>>> retr 99$/p' <<<"$output" | grep -qE "^$n [!-~]+$"
	grep -A1 -x '\[pop\]>>> retr 99' <<<"$output" | grep -q '^-ERR'
	grep -A1 -x "\[pop\]>>> dele $n" <<<"$output" | grep -q '^+OK'
	grep -A1 -x '\[pop\]>>> rset' <<<"$output" | grep -q '^+OK'
	grep -A1 -x '\[pop\]>>> quit' <<<"$output" | grep -q '^+OK'
	grep -qE "^$((n - 1)) messages \(" <<<"$output"   # after dele
	[ "$(grep -cE "^$n messages \(" <<<"$output")" -eq 2 ]  # before dele, after rset
	# rset undid the dele: nothing was removed at quit
	[ "$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)" -eq "$n" ]
}

@test "one-shot pop: dele takes effect at quit, exit statuses" {
	run agent -e usr@gmail.com -p pass send --to usr@gmail.com --subject self --body-file /etc/hostname
	[ "$status" -eq 0 ]
	wait_count usr@gmail.com gmail.com 1
	local n
	n=$(maildir_count usr@gmail.com gmail.com)
	run agent -e usr@gmail.com -p pass pop stat
	[ "$status" -eq 0 ]
	[[ "$output" == "$n messages ("*" bytes)" ]]
	run agent -e usr@gmail.com -p pass pop dele 1
	[ "$status" -eq 0 ]
	[ "$(maildir_count usr@gmail.com gmail.com)" -eq $((n - 1)) ]
	run agent -e usr@gmail.com -p pass pop retr 9999
	[ "$status" -eq 1 ]
	[[ "$output" == "-ERR"* ]]
}

@test "a wrong password is reported plainly and the shell goes on" {
	run agent -e usr1@mail.sustech.edu.cn -p wrong <<<$'pop\nbogus\nexit'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"login as usr1@mail.sustech.edu.cn failed (wrong user or password?): -ERR"* ]]
	[[ "$output" == *"unknown command bogus (smtp, pop, imap or exit)"* ]]
	run agent -e usr1@mail.sustech.edu.cn -p wrong pop stat
	[ "$status" -eq 1 ]
}

@test "a refused recipient prints the server's reply; the one-shot fails" {
	run agent -e usr1@mail.sustech.edu.cn -p pass1 send --to nobody@mail.sustech.edu.cn --subject x --body y
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused"*"55"[0-9]* ]]
}

@test "-s and -P override the agent: hosts (HOST:PORT or a pseudo-DNS name)" {
	run agent -e usr1@mail.sustech.edu.cn -p pass1 -P "127.0.0.1:$EX_POP" pop stat
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" messages ("* ]]
	run agent -e usr@gmail.com -p pass -P pop.gmail.com pop stat
	[ "$status" -eq 0 ]
	run agent -e usr1@mail.sustech.edu.cn -p pass1 -s no-such-smtp.invalid send --to usr2@mail.sustech.edu.cn --subject x --body y
	echo "$output"
	[ "$status" -eq 69 ]
	[[ "$output" == *"no-such-smtp.invalid"* ]]
}
