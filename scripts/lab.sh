#!/usr/bin/env bash
# lab.sh - a small Internet on one machine: network namespaces for a DNS host, one host per
# provider and a chain of routers between them, so mail crosses real hops.
#
#   scripts/lab.sh up [--providers N] [--routers M] [--class]   (default 2 and 2; needs root)
#   scripts/lab.sh exec HOST CMD...    HOST: dns, pI (provider I) or rK (router K)
#   scripts/lab.sh down                stops every process in the lab, removes it all
#   scripts/lab.sh status
#
# Topology (scripts/gen-topology.sh N 2 --lab 10.77 writes its config and zone):
#   dns host  10.77.1.2 on router 1 (mail-dns on port 53)
#   provider I (server pI.example) 10.77.(I+1).2 on router 1 + round((I-1)(M-1)/(N-1)),
#             SMTP 25 and POP3 110, found by A records; users user1 and user2, pw1 and pw2
#   router K  10.77.H.1 towards each host H it serves, 10.77.(200+K).1/.2 between K and K+1
# The addresses exist only inside the namespaces (no interface of this host gets one: the
# veths are created straight into their namespaces); `up` refuses if this host already uses
# 10.77.0.0/16 or a lab is up. Reverse names (p1.lab, r1.lab, ...) come from
# /etc/netns/NS/hosts, which `ip netns exec` mounts. State, config, data and logs live in
# LAB_DIR (default /tmp/mail-lab); namespaces are named LAB_PREFIX-HOST (default mlab).
# --class: the zone starts empty and mail-dns runs as a class registry (registry.yaml,
# dns.updates for the zone `example`, key in LAB_DIR/class.key); each provider registers
# its own MX, A, P and SRV records by signed UPDATE (dns.register), as
# `scripts/class.sh student` does on a student's machine (docs/class.md).
# Examples:
#   scripts/lab.sh exec p1 mail-agent trace mx.p2.example --conf /tmp/mail-lab/mail.yaml
#   scripts/lab.sh exec r1 tshark -i h2 -f 'tcp port 25 or udp port 53'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${MAIL_BIN:-$root/build/bin}
. "$root/scripts/lib.sh" # nap: the polls below pause without starting a process
lab_dir=${LAB_DIR:-/tmp/mail-lab}
prefix=${LAB_PREFIX:-mlab}
net=10.77

usage() { sed -n '/^#   scripts\/lab.sh up/,/^#   scripts\/lab.sh status/p' "$0" | sed 's/^# *//' >&2; exit 64; }
die() { echo "lab: $*" >&2; exit 1; }

# ns HOST: the namespace name of a lab host (dns, pI, pI.example, rK).
ns() {
	local h=${1%.example}
	[[ $h =~ ^(dns|p[0-9]+|r[0-9]+)$ ]] || { echo "lab: unknown host '$1' (dns, pI or rK)" >&2; return 64; }
	echo "$prefix-$h"
}

# router_of I N M: the router provider I hangs off (the first on router 1, the last on router M).
router_of() {
	local i=$1 n=$2 m=$3
	if [ "$n" -le 1 ]; then echo 1; else echo $((1 + (2 * (i - 1) * (m - 1) + n - 1) / (2 * (n - 1)))); fi
}

lab_namespaces() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$prefix-" || true; }

cmd_up() {
	local n=2 m=2 class=0
	while [ $# -gt 0 ]; do
		case $1 in
		--providers) n=${2:?}; shift 2 ;;
		--routers) m=${2:?}; shift 2 ;;
		--class) class=1; shift ;;
		*) usage ;;
		esac
	done
	[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 190 ]] || die "--providers must be 1..190"
	[[ $m =~ ^[0-9]+$ && $m -ge 1 && $m -le 50 ]] || die "--routers must be 1..50"
	[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
	for prog in mail-dns mail-server; do [ -x "$bin/$prog" ] || die "$bin/$prog is missing; run make first"; done
	[ -z "$(lab_namespaces)" ] || die "a lab is up already (namespaces $prefix-*); scripts/lab.sh down first"
	! ip -4 addr show | grep -q " $net\." || die "this host already has an address in $net.0.0/16"
	! ip -4 route show | grep -q "^$net\." || die "this host already routes $net.0.0/16"
	rm -rf "$lab_dir"
	mkdir -p "$lab_dir/logs"
	echo "$n $m" >"$lab_dir/size"
	# from here on, a failure takes down what was built
	trap 'echo "lab: up failed; removing what was built" >&2; cmd_down >/dev/null 2>&1' ERR

	"$root/scripts/gen-topology.sh" "$n" 2 --out "$lab_dir" --lab "$net" >/dev/null
	local dns_conf=$lab_dir/mail.yaml
	if [ "$class" = 1 ]; then
		class_setup
		dns_conf=$lab_dir/registry.yaml
	fi
	local hosts=dns i k r
	for ((i = 1; i <= n; i++)); do hosts+=" p$i"; done
	for ((k = 1; k <= m; k++)); do hosts+=" r$k"; done
	local h names=$lab_dir/hosts
	{
		echo "127.0.0.1 localhost"
		echo "$net.1.2 dns.lab"
		for ((i = 1; i <= n; i++)); do echo "$net.$((i + 1)).2 p$i.lab mx.p$i.example mx2.p$i.example smtp.p$i.example pop.p$i.example"; done
		for ((k = 1; k <= m; k++)); do
			[ "$k" -ne 1 ] || echo "$net.1.1 r1.lab"
			for ((i = 1; i <= n; i++)); do [ "$(router_of "$i" "$n" "$m")" != "$k" ] || echo "$net.$((i + 1)).1 r$k.lab"; done
			[ "$k" -eq 1 ] || echo "$net.$((200 + k - 1)).2 r$k.lab"
			[ "$k" -eq "$m" ] || echo "$net.$((200 + k)).1 r$k.lab"
		done
	} >"$names"
	for h in $hosts; do
		ip netns add "$prefix-$h"
		ip -n "$prefix-$h" link set lo up
		mkdir -p "/etc/netns/$prefix-$h"
		cp "$names" "/etc/netns/$prefix-$h/hosts"
		echo "nameserver 127.0.0.1" >"/etc/netns/$prefix-$h/resolv.conf"
	done
	for ((k = 1; k <= m; k++)); do ip netns exec "$prefix-r$k" sysctl -qw net.ipv4.ip_forward=1; done

	# host H (1 = dns, I+1 = provider I) on router R: eth0 on the host, hH on the router
	attach() {
		local host=$1 hnum=$2 r=$3
		ip link add eth0 netns "$prefix-$host" type veth peer name "h$hnum" netns "$prefix-r$r"
		ip -n "$prefix-$host" addr add "$net.$hnum.2/24" dev eth0
		ip -n "$prefix-r$r" addr add "$net.$hnum.1/24" dev "h$hnum"
		ip -n "$prefix-$host" link set eth0 up
		ip -n "$prefix-r$r" link set "h$hnum" up
		ip -n "$prefix-$host" route add default via "$net.$hnum.1"
		echo "$hnum $r" >>"$lab_dir/attached"
	}
	attach dns 1 1
	for ((i = 1; i <= n; i++)); do attach "p$i" $((i + 1)) "$(router_of "$i" "$n" "$m")"; done
	# router K to K+1: nK+1 on router K, nK on router K+1
	for ((k = 1; k < m; k++)); do
		ip link add "n$((k + 1))" netns "$prefix-r$k" type veth peer name "n$k" netns "$prefix-r$((k + 1))"
		ip -n "$prefix-r$k" addr add "$net.$((200 + k)).1/24" dev "n$((k + 1))"
		ip -n "$prefix-r$((k + 1))" addr add "$net.$((200 + k)).2/24" dev "n$k"
		ip -n "$prefix-r$k" link set "n$((k + 1))" up
		ip -n "$prefix-r$((k + 1))" link set "n$k" up
	done
	# each router: subnets of hosts on other routers, and router links not its own, left or right
	local hnum hr
	for ((k = 1; k <= m; k++)); do
		while read -r hnum hr; do
			[ "$hr" -ne "$k" ] || continue
			ip -n "$prefix-r$k" route add "$net.$hnum.0/24" via "$(next_hop "$k" "$hr")"
		done <"$lab_dir/attached"
		for ((r = 1; r < m; r++)); do
			[ "$r" -eq "$k" ] || [ "$r" -eq $((k - 1)) ] || ip -n "$prefix-r$k" route add "$net.$((200 + r)).0/24" via "$(next_hop "$k" $((r > k ? r + 1 : r)))"
		done
	done

	start "$prefix-dns" mail-dns "$bin/mail-dns" --conf "$dns_conf"
	wait_listen "$prefix-dns" "$net.1.2" 53 udp # before the providers: their first UPDATE finds it
	for ((i = 1; i <= n; i++)); do
		start "$prefix-p$i" "p$i.example" "$bin/mail-server" -n "p$i.example" --conf "$lab_dir/mail.yaml" --data "$lab_dir/data"
	done
	for ((i = 1; i <= n; i++)); do wait_listen "$prefix-p$i" "$net.$((i + 1)).2" 25; done
	[ "$class" = 0 ] || wait_registered "$n"
	trap - ERR
	echo "lab: up: dns and $n providers behind $m routers; config $lab_dir/mail.yaml, logs $lab_dir/logs"
}

# class_setup: --class. The providers are in no zone file: mail-dns gets its own config,
# a registry for the zone `example`, and every provider a dns.register with the lab's key.
class_setup() {
	local secret
	secret=$(openssl rand -base64 32)
	echo "$secret" >"$lab_dir/class.key"
	printf 'MX: {}\nP: {}\n' >"$lab_dir/registry-zone.yaml"
	cat >"$lab_dir/registry.yaml" <<YAML
# written by scripts/lab.sh --class: mail-dns as the registry of the lab's providers
dns:
  listen: $net.1.2:53
  zone: registry-zone.yaml
  updates:
    - zone: example
      keys:
        - { name: lab-key, secret: $secret, algorithm: hmac-sha256 }
servers: {}
YAML
	awk -v reg="      register: { server: $net.1.2:53, zone: example, key_name: lab-key, key_secret: $secret, ttl: 60 }" '
		{ print }
		/^  p[0-9]+\.example:$/ { print "    dns:"; print reg }' "$lab_dir/mail.yaml" >"$lab_dir/mail.yaml.new"
	mv "$lab_dir/mail.yaml.new" "$lab_dir/mail.yaml"
}

# wait_registered N: until mail-dns answers every provider's MX (30 s).
wait_registered() {
	local i k missing
	for ((k = 0; k < 300; k++)); do
		missing=0
		for ((i = 1; i <= $1; i++)); do
			ip netns exec "$prefix-dns" dig @"$net.1.2" +time=1 +tries=1 +short "p$i.example" MX | grep -q . || { missing=$i; break; }
		done
		[ "$missing" != 0 ] || return 0
		nap 0.1
	done
	echo "lab: provider $missing did not register; logs in $lab_dir/logs" >&2
	return 1
}

# next_hop K R: from router K, the neighbour address towards router R.
next_hop() {
	if [ "$2" -lt "$1" ]; then echo "$net.$((200 + $1 - 1)).1"; else echo "$net.$((200 + $1)).2"; fi
}

# start NS NAME CMD...: CMD in namespace NS, in the background, detached, log and pid in LAB_DIR.
start() {
	local where=$1 name=$2; shift 2
	# (a daemon keeps none of nap's descriptor, when a poll has opened it)
	if [ -n "${nap_fd:-}" ]; then
		setsid ip netns exec "$where" "$@" >"$lab_dir/logs/$name.log" 2>&1 </dev/null {nap_fd}<&- &
	else
		setsid ip netns exec "$where" "$@" >"$lab_dir/logs/$name.log" 2>&1 </dev/null &
	fi
	echo "$!" >"$lab_dir/logs/$name.pid"
}

# wait_listen NS ADDR PORT [udp]: until something listens there (60 s).
wait_listen() {
	local flag=-tln i
	[ "${4:-}" != udp ] || flag=-uln
	for ((i = 0; i < 600; i++)); do
		ip netns exec "$1" ss -H "$flag" "src $2:$3" | grep -q . && return 0
		nap 0.1
	done
	echo "lab: nothing listens on $2:$3 in $1; logs in $lab_dir/logs" >&2
	return 1
}

cmd_down() {
	local where pidfile pid left=0
	# the daemons first, politely (their pid files), then anything else left in a namespace;
	# the providers before mail-dns, so a --class provider's withdrawal still finds it
	for pidfile in "$lab_dir"/logs/*.pid; do
		[ -e "$pidfile" ] && [ "$(basename "$pidfile")" != mail-dns.pid ] || continue
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null || true
	done
	for pidfile in "$lab_dir"/logs/*.pid; do
		[ -e "$pidfile" ] && [ "$(basename "$pidfile")" != mail-dns.pid ] || continue
		pid=""
		read -r pid <"$pidfile" || [ -n "$pid" ] || continue
		for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; nap 0.1; done
	done
	[ ! -e "$lab_dir/logs/mail-dns.pid" ] || kill "$(cat "$lab_dir/logs/mail-dns.pid")" 2>/dev/null || true
	for where in $(lab_namespaces); do
		for pid in $(ip netns pids "$where" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
	done
	for ((i = 0; i < 50; i++)); do
		left=0
		for where in $(lab_namespaces); do [ -z "$(ip netns pids "$where" 2>/dev/null)" ] || left=1; done
		[ "$left" = 1 ] || break
		nap 0.1
	done
	for where in $(lab_namespaces); do
		for pid in $(ip netns pids "$where" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
		# deleting the namespace deletes every veth in it (and so its peer)
		ip netns del "$where"
		rm -rf "/etc/netns/$where"
	done
	rm -rf "$lab_dir"
	echo "lab: down"
}

cmd_status() {
	local where
	[ -n "$(lab_namespaces)" ] || { echo "lab: down"; return 0; }
	for where in $(lab_namespaces); do
		echo "$where: $(ip -n "$where" -4 -o addr show | awk '$2 != "lo" { printf "%s %s  ", $2, $4 }')processes $(ip netns pids "$where" | wc -l)"
	done
}

cmd_exec() {
	[ $# -ge 2 ] || usage
	local where
	where=$(ns "$1") || exit 64
	shift
	ip netns list | awk '{ print $1 }' | grep -qx "$where" || die "no host $where: is the lab up?"
	PATH=$bin:$PATH exec ip netns exec "$where" "$@"
}

[ $# -ge 1 ] || usage
action=$1
shift
case $action in
up) cmd_up "$@" ;;
down) cmd_down ;;
exec) cmd_exec "$@" ;;
status) cmd_status ;;
*) usage ;;
esac
