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

# wait_screen TEXT: until the terminal shows TEXT (30 s)
wait_screen() {
	wait_until 30 pane_shows "$TMUX_SOCKET" "$1" agent && return 0
	echo "screen without '$1':"; screen
	return 1
}

# prompt_is TEXT: the prompt line reads TEXT.
prompt_is() { [ "$(prompt_line)" = "$1" ]; }

# prompt_line: the last non-empty line on the screen (capture-pane drops trailing spaces)
prompt_line() { screen | grep -v "^$" | tail -1; }

@test "up-arrow recalls a command, tab completes (r: retr/rset, re: retr), history survives a restart" {
	start_agent
	wait_screen '[smtp|pop|exit]>>>'
	keys bogus Enter
	wait_screen 'unknown command bogus'
	keys Up
	wait_until 30 prompt_is '[smtp|pop|exit]>>> bogus' || { screen; false; }
	keys C-u po Tab
	wait_until 30 prompt_is '[smtp|pop|exit]>>> pop' || { screen; false; }
	keys Enter
	wait_screen '[pop]>>>'
	# "r" is ambiguous: a second tab lists the choices; "re" can only be retr
	keys r Tab Tab
	wait_screen 'retr  rset'
	keys C-u re Tab
	wait_until 30 prompt_is '[pop]>>> retr' || { screen; false; }
	keys C-u quit Enter
	wait_screen 'signing off'
	keys exit Enter
	wait_until 30 grep -qs '^exit$' "$T/home/.mail_agent_history"
	grep -q '^bogus$' "$T/home/.mail_agent_history"
	grep -q '^pop' "$T/home/.mail_agent_history" # completed: "pop " (libedit writes \040)
	tmux -L "$TMUX_SOCKET" kill-session -t agent
	# a new session starts with the old history: up-arrow shows the last command
	start_agent
	wait_screen '[smtp|pop|exit]>>>'
	keys Up
	wait_until 30 prompt_is '[smtp|pop|exit]>>> exit' || { screen; false; }
	keys Enter
}
