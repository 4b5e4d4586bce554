#!/usr/bin/env bash
# start.sh - start mail-dns and every server of a config in the background (SPEC.md).
#
#   scripts/start.sh [--conf FILE] [--data DIR]
#
# Defaults: conf/mail.yaml, var/. Returns 0 once mail-dns answers and each server itself
# listens on every one of its ports (ss; a port held by another program does not count).
# Each program logs to DATA/<name>.log and has DATA/<name>.pid.
# If a program dies or a port stays closed (START_TIMEOUT seconds, default 15), prints the
# program's log, stops everything it started and exits 1. scripts/stop.sh stops them.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=conf/mail.yaml
data=var
limit=${START_TIMEOUT:-15}

parse_conf_data_args "$@"
ensure_cert "$conf" || exit 1

for prog in mail-dns mail-server; do
	[ -x "$bin/$prog" ] || { echo "start: $bin/$prog is missing; run make first" >&2; exit 1; }
done
topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?
mkdir -p "$data" || exit 1
data=$(cd "$data" && pwd)

# Refuse to start a second copy over the same data directory.
for pidfile in "$data"/*.pid; do
	[ -e "$pidfile" ] || continue
	pid=$(cat "$pidfile" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "start: $(basename "$pidfile" .pid) is already running (pid $pid); scripts/stop.sh --data $data first" >&2
		exit 1
	fi
	rm -f "$pidfile"
done

names=()
declare -A log_offset
launch() { # launch NAME CMD...: background, log and pid file under $data
	local name=$1; shift
	log_offset[$name]=$(stat -c %s "$data/$name.log" 2>/dev/null || echo 0)
	"$@" >>"$data/$name.log" 2>&1 &
	echo $! >"$data/$name.pid"
	names+=("$name")
}

fail() { # fail NAME WHY: show the log, stop what was started, exit 1
	echo "start: $1 $2; its log ($data/$1.log):" >&2
	tail -n 40 "$data/$1.log" >&2
	"$root/scripts/stop.sh" --data "$data" >&2
	exit 1
}

alive() { kill -0 "$(cat "$data/$1.pid")" 2>/dev/null; }

# started NAME: the program printed its readiness line (every listener is up) in this
# run's part of the log. A port that answers is not enough: another process may hold it.
started() { tail -c +$((${log_offset[$1]} + 1)) "$data/$1.log" 2>/dev/null | grep -q -- ': ready '; }

dns_answers() { dig @"$1" -p "$2" +time=1 +tries=1 probe.invalid A >/dev/null 2>&1; }
# listening NAME PORT: the program itself (not whoever else) listens on the TCP port.
listening() { ss -Hltnp "( sport = :$2 )" 2>/dev/null | grep -q "pid=$(cat "$data/$1.pid"),"; }

read -r _ dns_host dns_port <<<"$(head -n 1 <<<"$topology")"
launch mail-dns "$bin/mail-dns" --conf "$conf"
checks=("mail-dns dns $dns_host $dns_port")
while read -r kind name address smtp pop smtps pops; do
	[ "$kind" = server ] || continue
	launch "$name" "$bin/mail-server" -n "$name" --conf "$conf" --data "$data"
	for port in "$smtp" "$pop" "$smtps" "$pops"; do
		[ "$port" = 0 ] || checks+=("$name tcp $address $port")
	done
done <<<"$topology"

deadline=$((SECONDS + limit))
for name in "${names[@]}"; do
	until started "$name"; do
		alive "$name" || fail "$name" "exited"
		[ $SECONDS -lt $deadline ] || fail "$name" "did not start within ${limit}s"
		sleep 0.05
	done
done
for check in "${checks[@]}"; do
	read -r name kind host port <<<"$check"
	until { [ "$kind" = dns ] && dns_answers "$host" "$port"; } || { [ "$kind" = tcp ] && listening "$name" "$port"; }; do
		alive "$name" || fail "$name" "exited"
		[ $SECONDS -lt $deadline ] || fail "$name" "did not open $host:$port within ${limit}s"
		sleep 0.1
	done
done
for name in "${names[@]}"; do alive "$name" || fail "$name" "exited"; done
echo "start: running ${names[*]} (logs and pid files in $data)"
