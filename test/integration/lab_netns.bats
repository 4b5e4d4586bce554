#!/usr/bin/env bats
# lab_netns.bats - scripts/lab.sh: a DNS host, 2 providers and 2 routers in network
# namespaces of their own (prefix lt<pid>, state in $T/lab); mail crosses both routers,
# trace shows them, tshark on a router sees the relay's SMTP and the DNS, and down leaves
# no namespace, veth, process or file behind. Skipped (counted) where namespaces cannot be
# created.

load ../lib/common

setup_file() {
	common_setup_file
	export LAB_PREFIX="lt$$" LAB_DIR=$T/lab LAB=$REPO_ROOT/scripts/lab.sh
	if ! ip netns add "$LAB_PREFIX-probe" 2>"$T/netns.err"; then
		export LAB_SKIP="cannot create network namespaces: $(cat "$T/netns.err")"
		return 0
	fi
	ip netns del "$LAB_PREFIX-probe"
	timeout 60 "$LAB" up --providers 2 --routers 2 >"$T/up.log" 2>&1 || { cat "$T/up.log" >&2; return 1; }
}

teardown_file() {
	[ -z "${LAB_SKIP:-}" ] && "$LAB" down >/dev/null 2>&1
	common_teardown_file
}

setup() {
	[ -z "${LAB_SKIP:-}" ] || skip "$LAB_SKIP"
}

@test "lab up: one namespace per host and router, addresses only inside them" {
	[ "$(ip netns list | grep -c "^$LAB_PREFIX-")" -eq 5 ]
	[ -z "$(ip -4 addr show | grep ' 10\.77\.')" ]
	run "$LAB" exec p2 ip -4 -o addr show dev eth0
	[[ "$output" == *"10.77.3.2/24"* ]]
	run "$LAB" exec r1 sysctl -n net.ipv4.ip_forward
	[ "$output" = 1 ]
	# a second lab with the same prefix is refused
	run "$LAB" up
	[ "$status" -ne 0 ]
	[[ "$output" == *"a lab is up already"* ]]
}

@test "trace from provider 1's host to provider 2 shows both routers" {
	run timeout 30 "$LAB" exec p1 "$MAIL_BIN/mail-agent" trace mx.p2.example --conf "$LAB_DIR/mail.yaml" -W 2 --max-hops 6
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ $'\n'" 1  "[0-9.]+" ms  10.77.2.1  r1.lab" ]]
	[[ "$output" =~ $'\n'" 2  "[0-9.]+" ms  10.77.201.2  r2.lab" ]]
	[[ "$output" =~ $'\n'" 3  "[0-9.]+" ms  10.77.3.2  p2.lab" ]]
}

# pcap_has_mail FILE: the capture holds an SMTP MAIL command.
pcap_has_mail() { tshark -r "$1" -Y 'smtp.req.command == "MAIL"' 2>/dev/null | grep -q .; }

@test "mail across the two routers, and tshark on router 1 sees the relay's SMTP and the DNS" {
	"$LAB" exec r1 tshark -q -i any -f 'tcp port 25 or udp port 53' -w "$T/r1.pcap" >"$T/tshark.log" 2>&1 &
	local i tshark=$! # lab.sh exec and ip netns exec both exec: this is tshark itself
	for ((i = 0; i < 300; i++)); do grep -q 'Capturing on' "$T/tshark.log" && break; nap 0.1; done
	grep -q 'Capturing on' "$T/tshark.log" # tshark starts slowly on a loaded machine: 30 s
	printf 'smtp\nuser2@p2.example\n\nacross the lab\nhello over two routers\nexit\n' |
		timeout 30 "$LAB" exec p1 "$MAIL_BIN/mail-agent" -e user1@p1.example -p pw1 --conf "$LAB_DIR/mail.yaml"
	local box=$LAB_DIR/data/p2.example/mail/user2@p2.example/new
	for ((i = 0; i < 300; i++)); do [ -n "$(ls "$box" 2>/dev/null)" ] && break; nap 0.1; done
	grep -q '^Subject: across the lab' "$box"/*
	# the receiving server saw the relay come from provider 1's own address
	grep -q '^Received: from p1.example (\[10.77.2.2\])' "$box"/*
	# dumpcap writes what it caught on its own time: wait for the SMTP MAIL in the file
	# (10 s at most; the kill below makes it write the rest anyway)
	wait_until 10 pcap_has_mail "$T/r1.pcap" || true
	kill "$tshark"
	wait "$tshark" || true
	run tshark -r "$T/r1.pcap" -Y 'smtp.req.command == "MAIL" || dns.qry.name == "mx.p2.example"' -T fields -e ip.src -e ip.dst -e smtp.req.parameter -e dns.qry.name
	echo "$output"
	[[ "$output" == *"10.77.2.2	10.77.3.2	FROM:<user1@p1.example>"* ]]
	[[ "$output" == *"10.77.2.2	10.77.1.2		mx.p2.example"* ]]
}

# gone_or_zombie PID: the process has exited (or only waits to be reaped).
gone_or_zombie() { [ ! -e "/proc/$1" ] || grep -qs '^State:.*zombie' "/proc/$1/status"; }

@test "lab down removes namespaces, veths, processes and files" {
	local pids ns veths=""
	pids=$(cat "$LAB_DIR"/logs/*.pid)
	[ -n "$pids" ]
	# the lab's own veths, seen from inside its namespaces: eth0 on each of the 3 hosts, its
	# peer h<N> on a router, and n1/n2 between the routers. Only these are checked: other
	# tests running at the same time add and remove veths of their own on the host.
	for ns in $(ip netns list | awk '{ print $1 }' | grep "^$LAB_PREFIX-"); do
		veths+=$(ip -n "$ns" -o link show type veth | awk -F': ' -v ns="$ns" '{ sub(/@.*/, "", $2); print ns ":" $2 }')$'\n'
	done
	echo "$veths"
	[ "$(grep -c . <<<"$veths")" -eq 8 ]
	run "$LAB" down
	[ "$status" -eq 0 ]
	[ -z "$(ip netns list | grep "^$LAB_PREFIX-")" ] # bats: a "! grep" could not fail the test
	# with its namespaces gone no lab veth is left in them; none may have landed on the host
	# either (h<N> and n<N> are lab.sh's names; eth0 is left out: a container's uplink is one)
	[ -z "$(ip -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -E '^[hn][0-9]+$')" ]
	local p
	# gone, or a zombie waiting for this container's init to reap it (it runs no more); a
	# process killed by lab down may take a moment to go on a loaded machine
	for p in $pids; do wait_until 30 gone_or_zombie "$p"; done
	[ -z "$(pgrep -f "$LAB_DIR/mail.yaml")" ]
	[ ! -e "$LAB_DIR" ]
	[ -z "$(ls -d /etc/netns/"$LAB_PREFIX"-* 2>/dev/null)" ]
	run "$LAB" status
	[ "$output" = "lab: down" ]
}
