#!/usr/bin/env bats
# agent_netns.bats - ping and trace across a router: client -- router -- target, each a
# network namespace this file creates and removes. Addresses (10.250.1.0/24 and
# 10.250.2.0/24) exist only inside those namespaces; no traffic leaves them.

load ../lib/common

setup_file() {
	common_setup_file
	export NS_ID=$$
	export NS_CLIENT="mailc$NS_ID" NS_ROUTER="mailr$NS_ID" NS_TARGET="mailt$NS_ID"
	if ! ip netns add "$NS_CLIENT" 2>"$T/netns.err"; then
		export NETNS_SKIP="cannot create network namespaces: $(cat "$T/netns.err")"
		return 0
	fi
	ip netns add "$NS_ROUTER"
	ip netns add "$NS_TARGET"
	# names for reverse lookups inside the namespaces (ip netns exec mounts /etc/netns/NAME/*)
	local ns
	for ns in "$NS_CLIENT" "$NS_ROUTER" "$NS_TARGET"; do
		mkdir -p "/etc/netns/$ns"
		printf '127.0.0.1 localhost\n10.250.1.1 router-%s\n10.250.2.2 target-%s\n' "$NS_ID" "$NS_ID" >"/etc/netns/$ns/hosts"
		printf 'nameserver 127.0.0.1\n' >"/etc/netns/$ns/resolv.conf"
		ip -n "$ns" link set lo up
	done
	ip link add "vc$$" netns "$NS_CLIENT" type veth peer name "vrc$$" netns "$NS_ROUTER"
	ip link add "vt$$" netns "$NS_TARGET" type veth peer name "vrt$$" netns "$NS_ROUTER"
	ip -n "$NS_CLIENT" addr add 10.250.1.2/24 dev "vc$$"
	ip -n "$NS_ROUTER" addr add 10.250.1.1/24 dev "vrc$$"
	ip -n "$NS_ROUTER" addr add 10.250.2.1/24 dev "vrt$$"
	ip -n "$NS_TARGET" addr add 10.250.2.2/24 dev "vt$$"
	ip -n "$NS_CLIENT" link set "vc$$" up
	ip -n "$NS_ROUTER" link set "vrc$$" up
	ip -n "$NS_ROUTER" link set "vrt$$" up
	ip -n "$NS_TARGET" link set "vt$$" up
	ip -n "$NS_CLIENT" route add 10.250.2.0/24 via 10.250.1.1
	ip -n "$NS_TARGET" route add 10.250.1.0/24 via 10.250.2.1
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
}

teardown_file() {
	local ns
	for ns in "${NS_CLIENT:-}" "${NS_ROUTER:-}" "${NS_TARGET:-}"; do
		[ -n "$ns" ] || continue
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
	common_teardown_file
}

setup() {
	if [ -n "${NETNS_SKIP:-}" ]; then skip "$NETNS_SKIP"; fi
}

@test "trace across the router shows the router as hop 1 and the target as hop 2" {
	run timeout 20 ip netns exec "$NS_CLIENT" "$MAIL_BIN/mail-agent" trace 10.250.2.2 --max-hops 5 -W 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ $'\n'" 1  "[0-9]+\.[0-9]{2}" ms  10.250.1.1  router-$NS_ID" ]]
	[[ "$output" =~ $'\n'" 2  "[0-9]+\.[0-9]{2}" ms  10.250.2.2  target-$NS_ID" ]]
	[ "$(grep -cE '^ *[0-9]+  ' <<<"$output")" -eq 2 ]
}

@test "ping to the target through the router gets replies with TTL 63" {
	run timeout 20 ip netns exec "$NS_CLIENT" "$MAIL_BIN/mail-agent" ping 10.250.2.2 -c 2 -i 0.2 -W 2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'bytes from 10.250.2.2: icmp_seq=[12] ttl=63 time=' <<<"$output")" -eq 2 ]
	[[ "$output" == *"2 packets transmitted, 2 received, 0% packet loss"* ]]
}

@test "a hop that does not answer prints a star and Request timed out" {
	# the router drops ICMP it would forward to the target: hop 1 answers, then silence
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=0
	run timeout 20 ip netns exec "$NS_CLIENT" "$MAIL_BIN/mail-agent" trace 10.250.2.2 --max-hops 2 -W 1 -n
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *" 2  *  Request timed out"* ]]
}

@test "without CAP_NET_RAW the unprivileged datagram ICMP socket is used, TTLs and hops included" {
	# ping_group_range is per network namespace: allow root's group in the client's only
	ip netns exec "$NS_CLIENT" sysctl -qw net.ipv4.ping_group_range="0 0"
	run timeout 20 ip netns exec "$NS_CLIENT" setpriv --bounding-set -net_raw "$MAIL_BIN/mail-agent" trace 10.250.2.2 --max-hops 5 -W 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(datagram ICMP socket)"* ]]
	[[ "$output" =~ $'\n'" 1  "[0-9]+\.[0-9]{2}" ms  10.250.1.1  router-$NS_ID" ]]
	[[ "$output" =~ $'\n'" 2  "[0-9]+\.[0-9]{2}" ms  10.250.2.2  target-$NS_ID" ]]
	run timeout 20 ip netns exec "$NS_CLIENT" setpriv --bounding-set -net_raw "$MAIL_BIN/mail-agent" ping 10.250.2.2 -c 1 -W 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bytes from 10.250.2.2: icmp_seq=1 ttl=63 time="* ]]
}

@test "with neither socket allowed the error says why for each, exit 69" {
	ip netns exec "$NS_CLIENT" sysctl -qw net.ipv4.ping_group_range="1 0"
	run timeout 20 ip netns exec "$NS_CLIENT" setpriv --bounding-set -net_raw "$MAIL_BIN/mail-agent" ping 10.250.2.2 -c 1
	echo "$output"
	[ "$status" -eq 69 ]
	[[ "$output" == *"raw socket: Operation not permitted (needs root or CAP_NET_RAW)"* ]]
	[[ "$output" == *"datagram socket: Permission denied (needs a group in sysctl net.ipv4.ping_group_range)"* ]]
}
