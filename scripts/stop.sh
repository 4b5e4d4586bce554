#!/usr/bin/env bash
# stop.sh - stop what scripts/start.sh started (SPEC.md).
#
#   scripts/stop.sh [--data DIR]
#
# Sends SIGTERM to every program with a pid file in DATA (default var/), servers before
# mail-dns, and waits for each to exit (STOP_TIMEOUT seconds, default 10; then SIGKILL,
# reported). Removes the pid files. Exits 0 when nothing is left running.
set -uo pipefail

data=var
limit=${STOP_TIMEOUT:-10}
usage() { echo "usage: $0 [--data DIR]" >&2; exit 64; }
while [ $# -gt 0 ]; do
	case $1 in
	-d|--data) [ $# -ge 2 ] || usage; data=$2; shift 2 ;;
	-h|--help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage ;;
	esac
done
[ -d "$data" ] || exit 0

ours() { # ours PID: the pid is alive and still one of our programs (not a reused pid)
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qE '(^|/)mail-(server|dns)( |$)'
}

stop_group() { # stop_group PIDFILE...: TERM all, then wait for all
	local pidfile pid pids=() names=()
	for pidfile in "$@"; do
		pid=$(cat "$pidfile" 2>/dev/null)
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
			sleep 0.05
		done
	done
	rm -f "$@"
}

servers=()
for pidfile in "$data"/*.pid; do
	[ -e "$pidfile" ] || continue
	[ "$(basename "$pidfile")" = mail-dns.pid ] || servers+=("$pidfile")
done
[ ${#servers[@]} -eq 0 ] || stop_group "${servers[@]}"
[ -e "$data/mail-dns.pid" ] && stop_group "$data/mail-dns.pid"
exit 0
