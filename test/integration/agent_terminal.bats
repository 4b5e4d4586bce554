#!/usr/bin/env bats
# agent_terminal.bats - the interactive agent on a real terminal (tmux): line editing with
# libedit, history across sessions in ~/.mail_agent_history, tab completion of the
# prompt's commands. Piped stdin (not a terminal) is covered by agent_mail.bats.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	start_dns
	start_server exmail.qq.com
	export TMUX_SOCKET="agent-term-$$"
	mkdir -p "$T/home"
}

teardown_file() {
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
	common_teardown_file
}

start_agent() {
	tmux -L "$TMUX_SOCKET" new-session -d -s agent -x 120 -y 30 \
		"env HOME='$T/home' TERM=xterm '$MAIL_BIN/mail-agent' --conf '$CONF' -e usr1@mail.sustech.edu.cn -p pass1; sleep 30"
}

screen() { tmux -L "$TMUX_SOCKET" capture-pane -p -t agent; }
keys() { tmux -L "$TMUX_SOCKET" send-keys -t agent "$@"; }

# wait_screen TEXT: until the terminal shows TEXT (5 s)
wait_screen() {
	local i
	for i in $(seq 1 100); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
	echo "screen without '$1':"; screen
	return 1
}

# prompt_line: the last non-empty line on the screen (capture-pane drops trailing spaces)
prompt_line() { screen | grep -v "^$" | tail -1; }

@test "up-arrow recalls a command, tab completes (r: retr/rset, re: retr), history survives a restart" {
	start_agent
	wait_screen '[smtp|pop|exit]>>>'
	keys bogus Enter
	wait_screen 'unknown command bogus'
	keys Up
	for _ in $(seq 1 50); do [ "$(prompt_line)" = '[smtp|pop|exit]>>> bogus' ] && break; sleep 0.05; done
	[ "$(prompt_line)" = '[smtp|pop|exit]>>> bogus' ]
	keys C-u po Tab
	for _ in $(seq 1 50); do [ "$(prompt_line)" = '[smtp|pop|exit]>>> pop' ] && break; sleep 0.05; done
	[ "$(prompt_line)" = '[smtp|pop|exit]>>> pop' ]
	keys Enter
	wait_screen '[pop]>>>'
	# "r" is ambiguous: a second tab lists the choices; "re" can only be retr
	keys r Tab Tab
	wait_screen 'retr  rset'
	keys C-u re Tab
	for _ in $(seq 1 50); do [ "$(prompt_line)" = '[pop]>>> retr' ] && break; sleep 0.05; done
	[ "$(prompt_line)" = '[pop]>>> retr' ]
	keys C-u quit Enter
	wait_screen 'signing off'
	keys exit Enter
	for _ in $(seq 1 100); do grep -q '^exit$' "$T/home/.mail_agent_history" 2>/dev/null && break; sleep 0.05; done
	grep -q '^bogus$' "$T/home/.mail_agent_history"
	grep -q '^pop' "$T/home/.mail_agent_history" # completed: "pop " (libedit writes \040)
	tmux -L "$TMUX_SOCKET" kill-session -t agent
	# a new session starts with the old history: up-arrow shows the last command
	start_agent
	wait_screen '[smtp|pop|exit]>>>'
	keys Up
	for _ in $(seq 1 50); do [ "$(prompt_line)" = '[smtp|pop|exit]>>> exit' ] && break; sleep 0.05; done
	[ "$(prompt_line)" = '[smtp|pop|exit]>>> exit' ]
	keys Enter
}
