#!/usr/bin/env bash
# capture.sh - record the SMTP, POP3 and DNS traffic of a topology on loopback with tshark.
#
#   scripts/capture.sh [--conf FILE] [-o FILE.pcapng] [-t MAX_SECONDS] [-- COMMAND ...]
#
# Captures on `lo` every SMTP, SMTPS, POP3, POP3S and DNS port of the config (from
# `mail-server --list-servers`), until COMMAND finishes (when given), Ctrl-C, or
# MAX_SECONDS (default 300). Then prints one decoded line per packet, with decode-as rules
# so that the custom ports show as SMTP, POP and DNS, and the Wireshark command line that
# opens the file with the same rules. Defaults: the project's conf/mail.yaml,
# capture.pcapng. Capturing needs root or membership of the wireshark group.
# Exits with COMMAND's status (or 0), 1 when tshark cannot capture or fails.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=$default_conf
out=capture.pcapng
max=300
ready_wait=${CAPTURE_READY_WAIT:-60} # seconds for tshark to start capturing / to see the end marker (a loaded machine)

usage() { echo "usage: $0 [--conf FILE] [-o FILE.pcapng] [-t MAX_SECONDS] [-- COMMAND ...]" >&2; exit 64; }
while [ $# -gt 0 ]; do
	case $1 in
	-c|--conf) [ $# -ge 2 ] || usage; conf=$2; shift 2 ;;
	-o|--output) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	-t|--duration) [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || usage; max=$2; shift 2 ;;
	-h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
command -v tshark >/dev/null || { echo "capture: tshark is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
ensure_cert "$conf" || exit 1
topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?

filter=() decode=()
read -r _ dns_host dns_port <<<"$(head -n 1 <<<"$topology")"
filter+=("udp port $dns_port")
decode+=(-d "udp.port==$dns_port,dns")
while read -r kind name address smtp pop smtps pops; do
	[ "$kind" = server ] || continue
	for port in "$smtp" "$smtps"; do
		[ "$port" = 0 ] && continue
		filter+=("tcp port $port")
		[ "$port" = "$smtp" ] && decode+=(-d "tcp.port==$port,smtp") || decode+=(-d "tcp.port==$port,tls")
	done
	for port in "$pop" "$pops"; do
		[ "$port" = 0 ] && continue
		filter+=("tcp port $port")
		[ "$port" = "$pop" ] && decode+=(-d "tcp.port==$port,pop") || decode+=(-d "tcp.port==$port,tls")
	done
done <<<"$topology"
capture_filter=$(IFS='|'; echo "${filter[*]}" | sed 's/|/ or /g')

# can_capture: root, or dumpcap runnable with the capture capabilities (what the wireshark
# group gets from dpkg-reconfigure wireshark-common). Asked before tshark starts: tshark
# itself says "Capturing on" before it finds out it may not, and how long it then takes
# to fail depends on the machine's load.
can_capture() {
	[ "$(id -u)" -eq 0 ] && return 0
	local dumpcap
	dumpcap=$(command -v dumpcap || echo /usr/bin/dumpcap)
	[ -x "$dumpcap" ] || return 1
	command -v getcap >/dev/null || return 0 # cannot tell: tshark will say
	getcap "$dumpcap" | grep -q cap_net_raw
}
if ! can_capture; then
	echo "capture: capturing needs root or membership of the wireshark group" \
		"(sudo usermod -aG wireshark \$USER after dpkg-reconfigure wireshark-common)" >&2
	exit 1
fi

log=$(mktemp /tmp/mail-capture.XXXXXX)
rm -f "$out"
tshark -i lo -f "$capture_filter" -w "$out" -a "duration:$max" -q >"$log" 2>&1 &
tshark_pid=$!
tshark_status=0 tshark_done=""
stop_tshark() { # stops tshark (once) and keeps its exit status
	[ -z "$tshark_done" ] || return 0
	if kill -0 "$tshark_pid" 2>/dev/null; then kill -INT "$tshark_pid" 2>/dev/null; fi
	wait "$tshark_pid" 2>/dev/null
	tshark_status=$? tshark_done=1
}
# why_not_captured: the reason tshark gave, and what to do when it is about permissions.
why_not_captured() {
	cat "$log" >&2
	if grep -qiE 'permission|not permitted|privileges' "$log"; then
		echo "capture: capturing needs root or membership of the wireshark group" \
			"(sudo usermod -aG wireshark \$USER after dpkg-reconfigure wireshark-common)" >&2
	fi
}
trap 'stop_tshark; rm -f "$log"' EXIT
trap 'stop_tshark' INT TERM

deadline=$((SECONDS + ready_wait))
until grep -q "Capturing on" "$log"; do
	if ! kill -0 "$tshark_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
		echo "capture: tshark did not start capturing:" >&2; why_not_captured; exit 1
	fi
	nap 0.1
done
# tshark prints "Capturing on" before it finds out it may not: give it a moment to fail
# before running COMMAND for nothing.
nap 0.5
if ! kill -0 "$tshark_pid" 2>/dev/null; then
	stop_tshark
	echo "capture: tshark could not capture (status $tshark_status):" >&2
	why_not_captured
	exit 1
fi
echo "capture: recording on lo ($capture_filter) into $out" >&2

status=0
if [ $# -gt 0 ]; then
	"$@"
	status=$?
	# a last DNS query marks the end: once it is in the file, everything before it is too
	# (its name's label "capture-end" is in the packet's bytes: grep finds it in the file
	# without a tshark start per look, which costs a second of CPU)
	deadline=$((SECONDS + ready_wait))
	until grep -qaF capture-end "$out" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || break
		dig @"$dns_host" -p "$dns_port" +time=1 +tries=1 capture-end.invalid A >/dev/null 2>&1
		nap 0.2
	done
	stop_tshark
else
	wait "$tshark_pid" 2>/dev/null
	rc=$?
	# a Ctrl-C interrupts the wait and its trap already stopped tshark and kept its status
	[ -n "$tshark_done" ] || tshark_status=$rc tshark_done=1
fi

# tshark stopped by our SIGINT exits 0; any other status means it could not capture.
if [ "$tshark_status" != 0 ] || [ ! -s "$out" ]; then
	echo "capture: tshark failed (status $tshark_status):" >&2
	why_not_captured
	exit 1
fi
# one tshark read: the summary, one line per packet, is also the count
summary=$(tshark -r "$out" "${decode[@]}" 2>/dev/null)
echo "capture: $(grep -c . <<<"$summary") packets in $out" >&2
[ -z "$summary" ] || printf '%s\n' "$summary"
echo "capture: open it in Wireshark with the same decode-as rules:" >&2
echo "  wireshark -r $out ${decode[*]}" >&2
exit $status
