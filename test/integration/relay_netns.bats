#!/usr/bin/env bats
# relay_netns.bats - relaying beyond one host: gmail.com runs inside a network namespace
# this file creates (veth pair, private 10.251.N.0/24 used only between the host end and
# the namespace), listening on its own address (`address:` key), found by an A record.
# exmail.qq.com and mail-dns listen on the host end of the veth so the namespace can
# reach them. Mail is relayed both ways; the namespace is removed in teardown_file.
# Skipped where namespaces cannot be made (no root or no CAP_SYS_ADMIN).

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	export NS="mailrelay-$$-$RANDOM"
	if ! ip netns add "$NS" 2>/dev/null; then
		export NS_SKIP="cannot create network namespaces here (ip netns add failed)"
		return 0
	fi
	echo "$NS" >"$T/netns"
	local n
	for n in $(shuf -i 1-254); do
		ip -4 addr show | grep -q "10\.251\.$n\." || break
	done
	export HOST_IP=10.251.$n.1 NS_IP=10.251.$n.2 VETH=vr$$h
	. "$REPO_ROOT/scripts/netns.sh"
	netns_link "$NS" "$VETH" "vr$$n" "$HOST_IP" "$NS_IP"

	make_topology
	netns_split "$CONF" "$T/zone.yaml" "$HOST_IP" "$NS_IP"
	start_bg mail-dns "$MAIL_BIN/mail-dns" --conf "$CONF" >/dev/null
	start_bg exmail.qq.com "$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/data" >/dev/null
	start_bg gmail.com ip netns exec "$NS" "$MAIL_BIN/mail-server" -n gmail.com --conf "$CONF" --data "$T/data" >/dev/null
	wait_tcp "$HOST_IP" "$EX_SMTP"
	wait_tcp "$NS_IP" "$GM_SMTP"
}

# wait_tcp HOST PORT: until the port accepts (10 s).
wait_tcp() {
	local i
	for ((i = 0; i < 600; i++)); do
		nc -z -w 1 "$1" "$2" 2>/dev/null && return 0
		nap 0.05
	done
	echo "$1:$2 did not open" >&2
	return 1
}

teardown_file() {
	common_teardown_file_netns
}

common_teardown_file_netns() {
	stop_all
	if [ -n "${NS:-}" ] && ip netns list | grep -qw "$NS"; then
		ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$NS"
	fi
	[ -n "${VETH:-}" ] && ip link del "$VETH" 2>/dev/null
	common_teardown_file
}

setup() {
	[ -z "${NS_SKIP:-}" ] || skip "$NS_SKIP"
}

@test "the namespace provider listens only inside its namespace" {
	ip netns exec "$NS" nc -z -w 1 "$NS_IP" "$GM_SMTP"
	! nc -z -w 1 127.0.0.1 "$GM_SMTP"
	grep -q "started server=gmail.com smtp=$NS_IP:$GM_SMTP" "$T/gmail.com.log"
}

@test "mail from the host provider is relayed into the namespace" {
	send_mail "$HOST_IP:$EX_SMTP" usr1@mail.sustech.edu.cn "into the namespace" usr@gmail.com
	wait_count usr@gmail.com gmail.com 1 30 >/dev/null
	mailbox_text usr@gmail.com gmail.com | grep -q '^Subject: into the namespace'
	# the namespace server saw the relay coming from the host end of the veth
	mailbox_text usr@gmail.com gmail.com | grep -q "^Received: from exmail.qq.com (\[$HOST_IP\])"
	wait_log exmail.qq.com "relay delivered to=<usr@gmail.com> relay=gmail-smtp-in.l.google.com\[$NS_IP\]:$GM_SMTP" 30
}

@test "mail from the namespace provider is relayed back to the host" {
	send_mail "$NS_IP:$GM_SMTP" usr@gmail.com "out of the namespace" usr2@mail.sustech.edu.cn
	wait_count usr2@mail.sustech.edu.cn exmail.qq.com 1 30 >/dev/null
	mailbox_text usr2@mail.sustech.edu.cn exmail.qq.com | grep -q '^Subject: out of the namespace'
	mailbox_text usr2@mail.sustech.edu.cn exmail.qq.com | grep -q "^Received: from gmail.com (\[$NS_IP\])"
}
