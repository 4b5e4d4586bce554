#!/usr/bin/env bash
# demo.sh - the course walkthrough, replayed with mail-agent against the demo topology.
#
#   scripts/demo.sh [--conf FILE] [--data DIR]
#
# Starts mail-dns and the servers of the config with scripts/start.sh unless they already
# answer; usr1@mail.sustech.edu.cn mails itself, usr2@mail.sustech.edu.cn and
# usr@gmail.com in one message (the gmail copy goes through the relay); then each of the
# three reads its mailbox (stat, list, retr of the newest message). Prints what each user
# # sees, and stops what it started. Defaults: the project's conf/mail.yaml (from any
# directory); a temp data dir when it has to start the topology. Ctrl-C stops the agent and
# the servers at once. Exits non-zero when a step fails.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=$default_conf
data=""
relay_wait=${DEMO_RELAY_WAIT:-60}   # seconds for the gmail copy to arrive (at most)

parse_conf_data_args "$@"
ensure_cert "$conf" || exit 1
for prog in mail-agent mail-server mail-dns; do
	[ -x "$bin/$prog" ] || { echo "demo: $bin/$prog is missing; run make first" >&2; exit 1; }
done
topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?

# running: mail-dns answers and every SMTP and POP3 port accepts
running() {
	local kind name host smtp pop
	read -r _ host port <<<"$(head -n 1 <<<"$topology")"
	dig @"$host" -p "$port" +time=1 +tries=1 probe.invalid A >/dev/null 2>&1 || return 1
	while read -r kind name host smtp pop _; do
		[ "$kind" = server ] || continue
		timeout 2 bash -c "exec 3<>/dev/tcp/$host/$smtp && exec 4<>/dev/tcp/$host/$pop" 2>/dev/null || return 1
	done <<<"$topology"
}

started=""
cleanup() {
	if [ -n "$started" ]; then
		"$root/scripts/stop.sh" --data "$started" >/dev/null
		[ -n "$tmpdata" ] && rm -rf "$tmpdata"
	fi
}
tmpdata=""
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM
if running; then
	echo "demo: using the topology already running for $conf"
else
	if [ -z "$data" ]; then tmpdata=$(mktemp -d /tmp/mail-demo.XXXXXX); data=$tmpdata; fi
	"$root/scripts/start.sh" --conf "$conf" --data "$data" || exit 1
	started=$data
fi

# --foreground: the agent stays in our process group, so a Ctrl-C reaches it too instead of
# leaving it waiting on DNS timeouts once the servers are gone.
agent() { timeout --foreground 60 "$bin/mail-agent" --conf "$conf" "$@"; }
say() { printf '\n=== %s\n' "$*"; }
# count ADDRESS PASSWORD: messages in the mailbox (0 when it cannot be read yet)
count() { local n; n=$(agent -e "$1" -p "$2" pop stat 2>/dev/null | awk '{ print $1 }'); echo "${n:-0}"; }

users=("usr1@mail.sustech.edu.cn pass1" "usr2@mail.sustech.edu.cn pass2" "usr@gmail.com pass")
declare -A before
for u in "${users[@]}"; do
	read -r address password <<<"$u"
	before[$address]=$(count "$address" "$password")
done

say "usr1@mail.sustech.edu.cn sends one message to itself, usr2 and usr@gmail.com"
agent -e usr1@mail.sustech.edu.cn -p pass1 <<'INPUT' || exit 1
smtp
usr1@mail.sustech.edu.cn
usr2@mail.sustech.edu.cn
usr@gmail.com

Hello from the course walkthrough 你好
Three recipients, two domains: café, 中文, and a line with =equals=.
exit
INPUT

# the local copies are in place at 250; the gmail copy comes through the relay
deadline=$((SECONDS + relay_wait))
for u in "${users[@]}"; do
	read -r address password <<<"$u"
	until [ "$(count "$address" "$password")" -gt "${before[$address]}" ]; do
		if [ $SECONDS -ge $deadline ]; then echo "demo: nothing new for $address after ${relay_wait}s" >&2; exit 1; fi
		nap 0.2
	done
done

for u in "${users[@]}"; do
	read -r address password <<<"$u"
	n=$(count "$address" "$password")
	say "$address reads its mailbox"
	printf 'pop\nstat\nlist\nretr %s\nquit\nexit\n' "$n" | agent -e "$address" -p "$password" || exit 1
done
say "done"
