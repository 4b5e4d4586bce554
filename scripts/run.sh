#!/usr/bin/env bash
# run.sh - `make run`: the whole topology in the foreground (SPEC.md).
#
#   scripts/run.sh [--conf FILE] [--data DIR]
#
# Defaults: $MAIL_CONF or the project's conf/mail.yaml, $MAIL_DATA or its var/ (so
# `MAIL_CONF=x make run` works, from any directory). Starts mail-dns and every server of
# the config; every line they log is prefixed with the program's name; prints what to try
# next. Ctrl-C (or SIGTERM) stops them all, waits, and exits 0; if one fails on its own,
# the rest are stopped too and the status is 1.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=${MAIL_CONF:-$default_conf}
data=${MAIL_DATA:-$default_data}
parse_conf_data_args "$@"
ensure_cert "$conf" || exit 1

topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?
mkdir -p "$data" || exit 1

pids=() names=()
width=0
while read -r kind name _; do [ "$kind" = server ] && [ ${#name} -gt $width ] && width=${#name}; done <<<"$topology"
[ $width -lt 8 ] && width=8

launch() { # launch NAME CMD...: runs CMD with its output prefixed by NAME
	local name=$1 prefix; shift
	prefix=$(printf '%-*s | ' "$width" "$name")
	# The prefixer ignores SIGINT so that it outlives the program and shows its last lines.
	"$@" > >(trap '' INT; exec sed -u "s/^/$prefix/") 2>&1 &
	pids+=($!)
	names+=("$name")
}

stopping=0
stop_all() {
	stopping=1
	local pid
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
}
trap 'echo "run: stopping"; stop_all; echo "run: stopped"; exit 0' INT TERM

# next_steps: what to try once it runs (the demo accounts when it is the demo config).
next_steps() {
	local agent=$bin/mail-agent
	[ "$PWD" = "$root" ] && agent=build/bin/mail-agent
	echo "run: try, in another terminal:"
	if [ "$(realpath "$conf")" = "$(realpath "$default_conf")" ]; then
		echo "run:   $agent -e usr1@mail.sustech.edu.cn -p pass1      # interactive: smtp, pop, exit"
		echo "run:   accounts: usr1@mail.sustech.edu.cn/pass1, usr2@mail.sustech.edu.cn/pass2, usr@gmail.com/pass"
	else
		echo "run:   $agent --conf $conf -e ADDRESS -p PASSWORD   # accounts: servers.*.accounts in $conf"
	fi
	echo "run:   $root/scripts/demo.sh --conf $conf      # the course walkthrough"
	read -r _ host port <<<"$(head -n 1 <<<"$topology")"
	echo "run:   dig @$host -p $port gmail.com MX +short"
}

launch mail-dns "$bin/mail-dns" --conf "$conf"
while read -r kind name _; do
	[ "$kind" = server ] && launch "$name" "$bin/mail-server" -n "$name" --conf "$conf" --data "$data"
done <<<"$topology"
echo "run: started ${names[*]}; Ctrl-C stops them"
next_steps

# Until Ctrl-C (the trap) or until one program exits on its own.
while :; do
	for i in "${!pids[@]}"; do
		if ! kill -0 "${pids[$i]}" 2>/dev/null; then
			wait "${pids[$i]}"
			rc=$?
			# Status 0 means a stop signal reached the program first (Ctrl-C goes to the whole
			# process group, and our trap may run a moment later): a clean stop, not a failure.
			if [ "$rc" = 0 ]; then
				echo "run: stopping (${names[$i]} was stopped)"
				stop_all
				echo "run: stopped"
				exit 0
			fi
			echo "run: ${names[$i]} exited with status $rc; stopping the others" >&2
			stop_all
			exit 1
		fi
	done
	nap 0.2
done
