#!/usr/bin/env bats
# operator_flags.bats - one meaning per flag and the operator's checks: --version of every
# program, mail-server --check, no daemon flags, one mail-server per data directory (a
# second copy leaves the live queue untouched), the agent's messages and Ctrl-C.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	queue_topology
}

teardown_file() {
	common_teardown_file
}

@test "every program prints the one project version with --version" {
	local version
	version=$(cat "$REPO_ROOT/VERSION")
	[ -n "$version" ]
	run "$MAIL_BIN/mail-server" --version
	[ "$status" -eq 0 ]
	[ "$output" = "mail-server $version" ]
	run "$MAIL_BIN/mail-dns" --version
	[ "$status" -eq 0 ]
	[ "$output" = "mail-dns $version" ]
	run "$MAIL_BIN/mail-agent" --version
	[ "$status" -eq 0 ]
	[ "$output" = "mail-agent $version" ]
}

@test "mail-server --check: 0 for a good config, 78 naming file and key for a bad one" {
	run "$MAIL_BIN/mail-server" --check --conf "$CONF"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$CONF: ok (2 servers)"* ]]
	run "$MAIL_BIN/mail-server" --check --conf "$CONF" -n gmail.com
	[ "$status" -eq 0 ]
	run "$MAIL_BIN/mail-server" --check --conf "$CONF" -n nosuch.example
	[ "$status" -eq 78 ]
	[[ "$output" == *"no server named 'nosuch.example'"* ]]
	sed 's/^    smtp: .*/    smtp: 99999/' "$CONF" >"$T/bad.yaml"
	run "$MAIL_BIN/mail-server" --check --conf "$T/bad.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad.yaml:"*"smtp: out of range"* ]]
}

@test "mail-server offers no --daemon, --umask or --pidfile" {
	local flag
	for flag in --daemon --umask=022 --pidfile=$T/x.pid; do
		run "$MAIL_BIN/mail-server" -n gmail.com --conf "$CONF" --data "$T/data" "$flag"
		[ "$status" -eq 64 ]
	done
	[ ! -e "$T/x.pid" ]
	run "$MAIL_BIN/mail-server" --help
	[[ "$output" != *daemon* ]]
}

@test "a second mail-server on the same data directory exits 69 at once and leaves the queue as it was" {
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "to the queue" usr@gmail.com
	[ "$(queue_count exmail.qq.com)" -eq 1 ]
	wait_log exmail.qq.com 'relay deferred' 30
	# due now as far as the files say (the running server keeps its own schedule): a relay
	# started over this queue would try it at once and rewrite the envelope
	# (the deferral's state file, written just after its log line)
	wait_until 30 compgen -G "$T/data/exmail.qq.com/queue/*.state"
	sed -i 's/^next\t.*/next\t0/' "$T"/data/exmail.qq.com/queue/*.state
	local before after pid
	pid=$(awk '$2 == "exmail.qq.com" { p = $1 } END { print p }' "$T/pids")
	before=$(cd "$T/data/exmail.qq.com/queue" && sha256sum * && stat -c '%n %Y %s' *)
	run timeout 10 "$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/data"
	[ "$status" -eq 69 ]
	[[ "$output" == *"exmail.qq.com is already running on $T/data/exmail.qq.com (pid $pid, lock "* ]]
	[[ "$output" != *relay* ]]
	after=$(cd "$T/data/exmail.qq.com/queue" && sha256sum * && stat -c '%n %Y %s' *)
	[ "$before" = "$after" ]
	# the first server still runs and still owns its ports
	kill -0 "$pid"
	nc -z 127.0.0.1 "$EX_SMTP"
}

@test "mail-agent ping: an unknown host says which config was read, or that none was" {
	cd /
	run "$MAIL_BIN/mail-agent" ping nosuch.invalid
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown host nosuch.invalid (no config at conf/mail.yaml"*"--conf FILE"* ]]
	run "$MAIL_BIN/mail-agent" --conf "$CONF" ping nosuch.invalid
	[ "$status" -eq 2 ]
	[[ "$output" == *"(config $CONF: asked mail-dns at 127.0.0.1:$DNS_PORT"* ]]
	# after ping, -c is the count, and --conf still names the config
	run "$MAIL_BIN/mail-agent" ping nosuch.invalid -c 2 --conf "$CONF"
	[ "$status" -eq 2 ]
	[[ "$output" == *"(config $CONF:"* ]]
}

@test "mail-agent exits 0 on Ctrl-C at its prompt" {
	mkfifo "$T/agent.in"
	"$MAIL_BIN/mail-agent" --conf "$CONF" -e usr1@mail.sustech.edu.cn -p pass1 <"$T/agent.in" >"$T/agent.out" 2>&1 &
	local agent=$!
	exec 4>"$T/agent.in" # keeps its input open: it waits at the prompt
	local i
	for ((i = 0; i < 600; i++)); do grep -q '>>> ' "$T/agent.out" && break; nap 0.05; done
	grep -q '\[smtp|pop|exit\]>>> ' "$T/agent.out"
	kill -INT "$agent"
	local rc=0
	wait "$agent" || rc=$?
	exec 4>&-
	[ "$rc" -eq 0 ]
}

@test "the man pages of the three programs render with man -l from the repository" {
	local page
	for page in man/mail-server.8 man/mail-dns.8 man/mail-agent.1; do
		run env MANWIDTH=80 man -l "$REPO_ROOT/$page"
		[ "$status" -eq 0 ]
		[[ "$output" == *NAME*SYNOPSIS*"--version"* ]]
	done
	run env MANWIDTH=80 man -l "$REPO_ROOT/man/mail-server.8"
	[[ "$output" == *"--check"*"queue"* ]]
}

@test "bash completion offers options, subcommands and the config's server names" {
	run bash -c '. "$REPO_ROOT/scripts/completion.bash"
		COMP_WORDS=("$MAIL_BIN/mail-server" --conf "$CONF" -n ""); COMP_CWORD=4; _mail_server; echo "${COMPREPLY[*]}"
		COMP_WORDS=("$MAIL_BIN/mail-server" queue ""); COMP_CWORD=2; _mail_server; echo "${COMPREPLY[*]}"
		COMP_WORDS=(mail-agent --ver); COMP_CWORD=1; _mail_agent; echo "${COMPREPLY[*]}"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "exmail.qq.com gmail.com" ]
	[ "${lines[1]}" = "--json retry delete hold release" ]
	[ "${lines[2]}" = "--version" ]
}
