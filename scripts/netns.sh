# shellcheck shell=bash
# netns.sh - the demo's two providers split across a network namespace (sourced by
# scripts/labs/slow-link.sh and test/integration/relay_netns.bats): a veth pair between the
# host and the namespace, and the config and zone that put exmail.qq.com and mail-dns on the
# host end and gmail.com inside, each found by an A record.

# netns_link NS HOST_DEV NS_DEV HOST_IP NS_IP: a veth pair, HOST_DEV on this side with
# HOST_IP/24 and NS_DEV moved into namespace NS with NS_IP/24, both up, and NS's loopback up.
netns_link() {
	local ns=$1 host_dev=$2 ns_dev=$3 host_ip=$4 ns_ip=$5
	ip link add "$host_dev" type veth peer name "$ns_dev"
	ip link set "$ns_dev" netns "$ns"
	ip addr add "$host_ip/24" dev "$host_dev"
	ip link set "$host_dev" up
	ip -n "$ns" addr add "$ns_ip/24" dev "$ns_dev"
	ip -n "$ns" link set "$ns_dev" up
	ip -n "$ns" link set lo up
}

# netns_split CONF ZONE HOST_IP NS_IP: rewrites the demo topology's CONF (as make_topology
# and lab_topology write it) so that mail-dns listens on HOST_IP, exmail.qq.com has
# `address: HOST_IP` and gmail.com `address: NS_IP`, and adds their hosts' A records to ZONE.
netns_split() {
	local conf=$1 zone=$2 host_ip=$3 ns_ip=$4
	sed -i "s/^  listen: 127.0.0.1:/  listen: $host_ip:/" "$conf"
	sed -i "s/^  exmail.qq.com:\$/  exmail.qq.com:\n    address: $host_ip/; s/^  gmail.com:\$/  gmail.com:\n    address: $ns_ip/" "$conf"
	cat >>"$zone" <<YAML
A:
  mxbiz1.qq.com.: $host_ip
  smtp.exmail.qq.com.: $host_ip
  gmail-smtp-in.l.google.com.: $ns_ip
  smtp.gmail.com.: $ns_ip
YAML
}
