#!/usr/bin/env bash
# start.sh - start mail-dns and every server of a config in the background (SPEC.md).
#
#   scripts/start.sh [--conf FILE] [--data DIR] [--only NAME ...]
#
# Defaults: the project's conf/mail.yaml and var/ (wherever it is run from). Returns 0 once
# mail-dns answers and each server itself listens on every one of its ports (ss; a port held
# by another program does not count). Each program logs to DATA/<name>.log and has
# DATA/<name>.pid. --only NAME (repeatable; a server name or mail-dns) starts just those.
# If a program dies or a port stays closed (START_TIMEOUT seconds, default 60: a loaded machine starts slowly), prints what
# the program logged in this run, stops everything it started and exits 1.
# scripts/stop.sh stops them.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=$default_conf
data=$default_data
limit=${START_TIMEOUT:-60}
allow_only=1

parse_conf_data_args "$@"
ensure_cert "$conf" || exit 1

for prog in mail-dns mail-server; do
	[ -x "$bin/$prog" ] || { echo "start: $bin/$prog is missing; run make first" >&2; exit 1; }
done
topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?
for n in "${only[@]}"; do
	[ "$n" = mail-dns ] || grep -q "^server $n " <<<"$topology" ||
		{ echo "start: no server named '$n' in $conf" >&2; exit 64; }
done
mkdir -p "$data" || exit 1
data=$(cd "$data" && pwd)

# Refuse to start a second copy over the same data directory.
for pidfile in "$data"/*.pid; do
	[ -e "$pidfile" ] || continue
	wanted "$(basename "$pidfile" .pid)" || continue
	pid=$(cat "$pidfile" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "start: $(basename "$pidfile" .pid) is already running (pid $pid); scripts/stop.sh --data $data first" >&2
		exit 1
	fi
	rm -f "$pidfile"
done

names=()
# per program: where this run's part of its log begins, its pid, and a read descriptor on
# its log placed there (the polls below read it with bash's own read: no process per poll)
declare -A log_offset pid_of log_fd log_part
launch() { # launch NAME CMD...: background, log and pid file under $data
	local name=$1 fd; shift
	: >>"$data/$name.log"
	log_offset[$name]=$(stat -c %s "$data/$name.log" 2>/dev/null || echo 0)
	exec {fd}<"$data/$name.log"
	dd iflag=skip_bytes skip="${log_offset[$name]}" count=0 status=none <&"$fd" # seeks the shared descriptor
	log_fd[$name]=$fd
	# the program keeps none of this script's descriptors
	(for fd in "${log_fd[@]}" ${nap_fd:-}; do eval "exec $fd<&-"; done; exec "$@") >>"$data/$name.log" 2>&1 &
	pid_of[$name]=$!
	echo $! >"$data/$name.pid"
	names+=("$name")
}

# this_run NAME: what the program logged since this script started it.
this_run() { tail -c +$((${log_offset[$1]} + 1)) "$data/$1.log" 2>/dev/null; }

fail() { # fail NAME WHY: show this run's log lines, stop what was started, exit 1
	echo "start: $1 $2; what it logged ($data/$1.log):" >&2
	this_run "$1" | tail -n 40 >&2
	local n stop_args=()
	for n in "${names[@]}"; do stop_args+=(--only "$n"); done
	"$root/scripts/stop.sh" --data "$data" "${stop_args[@]}" >&2
	exit 1
}

alive() { kill -0 "${pid_of[$1]}" 2>/dev/null; }

# started NAME: the program printed its readiness line (every listener is up) in this
# run's part of the log. A port that answers is not enough: another process may hold it.
# Reads on from where the last call stopped; a line still being written (no newline yet)
# is kept and completed by the next call.
started() {
	local line rc
	while :; do
		IFS= read -r -u "${log_fd[$1]}" line
		rc=$?
		line=${log_part[$1]:-}$line
		log_part[$1]=""
		[ $rc -eq 0 ] || { log_part[$1]=$line; return 1; }
		[[ $line == *': ready '* ]] && return 0
	done
}

dns_answers() { dig @"$1" -p "$2" +time=1 +tries=1 probe.invalid A >/dev/null 2>&1; }
# listening NAME PORT: the program itself (not whoever else) listens on the TCP port.
listening() { ss -Hltnp "( sport = :$2 )" 2>/dev/null | grep -q "pid=${pid_of[$1]},"; }

read -r _ dns_host dns_port <<<"$(head -n 1 <<<"$topology")"
checks=()
if wanted mail-dns; then
	launch mail-dns "$bin/mail-dns" --conf "$conf"
	checks+=("mail-dns dns $dns_host $dns_port")
fi
while read -r kind name address smtp pop smtps pops; do
	[ "$kind" = server ] && wanted "$name" || continue
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
		nap 0.05
	done
done
for check in "${checks[@]}"; do
	read -r name kind host port <<<"$check"
	until { [ "$kind" = dns ] && dns_answers "$host" "$port"; } || { [ "$kind" = tcp ] && listening "$name" "$port"; }; do
		alive "$name" || fail "$name" "exited"
		[ $SECONDS -lt $deadline ] || fail "$name" "did not open $host:$port within ${limit}s"
		nap 0.1
	done
done
for name in "${names[@]}"; do alive "$name" || fail "$name" "exited"; done
echo "start: running ${names[*]} (logs and pid files in $data)"
