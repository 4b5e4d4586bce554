#!/usr/bin/env bash
# stop.sh - stop what scripts/start.sh started (SPEC.md).
#
#   scripts/stop.sh [--conf FILE] [--data DIR] [--only NAME ...]
#
# Sends SIGTERM to every program with a pid file in DATA (default: the project's var/,
# wherever it is run from), servers before mail-dns, and waits for each to exit
# (STOP_TIMEOUT seconds, default 10; then SIGKILL, reported). Removes the pid files.
# --conf FILE: only mail-dns and the servers of that config; --only NAME (repeatable):
# only those. Exits 0 when nothing is left running (saying so when DATA does not exist).
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=""
data=$default_data
limit=${STOP_TIMEOUT:-10}
allow_only=1
parse_conf_data_args "$@"
[ -d "$data" ] || { echo "stop: nothing to stop: no data directory $data" >&2; exit 0; }

if [ -n "$conf" ]; then
	topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?
	declare -A of_conf=([mail-dns]=1)
	while read -r kind name _; do [ "$kind" = server ] && of_conf[$name]=1; done <<<"$topology"
fi
# acts_on NAME: --only and --conf both allow it
acts_on() { wanted "$1" && { [ -z "$conf" ] || [ -n "${of_conf[$1]:-}" ]; }; }

ours() { # ours PID: the pid is alive and still one of our programs (not a reused pid)
	local args arg
	# bash's own mapfile (no process per poll: stop_group asks this every 50 ms)
	mapfile -d '' args <"/proc/$1/cmdline" 2>/dev/null || return 1
	for arg in "${args[@]}"; do [[ $arg =~ (^|/)mail-(server|dns)$ ]] && return 0; done
	return 1
}

stop_group() { # stop_group PIDFILE...: TERM all, then wait for all
	local pidfile pid pids=() names=()
	for pidfile in "$@"; do
		pid=""
		read -r pid <"$pidfile" 2>/dev/null
		if [ -n "$pid" ] && ours "$pid"; then
			kill -TERM "$pid" 2>/dev/null && { pids+=("$pid"); names+=("$(basename "$pidfile" .pid)"); }
		fi
	done
	local deadline=$((SECONDS + limit)) i
	for i in "${!pids[@]}"; do
		while kill -0 "${pids[$i]}" 2>/dev/null && ours "${pids[$i]}"; do
			if [ $SECONDS -ge $deadline ]; then
				echo "stop: ${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for ${limit}s; killing it" >&2
				kill -KILL "${pids[$i]}" 2>/dev/null
				break
			fi
			nap 0.05
		done
	done
	rm -f "$@"
}

servers=()
for pidfile in "$data"/*.pid; do
	[ -e "$pidfile" ] || continue
	name=$(basename "$pidfile" .pid)
	acts_on "$name" || continue
	[ "$name" = mail-dns ] || servers+=("$pidfile")
done
[ ${#servers[@]} -eq 0 ] || stop_group "${servers[@]}"
[ -e "$data/mail-dns.pid" ] && acts_on mail-dns && stop_group "$data/mail-dns.pid"
exit 0
