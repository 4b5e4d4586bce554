#!/usr/bin/env bats
# gen_topology.bats - scripts/gen-topology.sh writes a topology every program accepts, and
# a small version of the 50-provider simulation (scripts/bench/sim.sh): 5 providers, 200
# messages with random senders and recipients across them (some to unknown users), each
# delivered exactly once or bounced exactly once (scripts/bench/sim_load.py check).

load ../lib/common

SIM=$REPO_ROOT/scripts/bench/sim_load.py

setup_file() {
	common_setup_file
	export BASE
	BASE=$(python3 "$SIM" ports 5)
	"$REPO_ROOT/scripts/gen-topology.sh" 5 8 --out "$T/top" --port-base "$BASE" >/dev/null
}

teardown_file() {
	"$REPO_ROOT/scripts/stop.sh" --data "$T/data" >/dev/null 2>&1
	common_teardown_file
}

@test "gen-topology: usage errors exit 64" {
	run "$REPO_ROOT/scripts/gen-topology.sh" 5
	[ "$status" -eq 64 ]
	run "$REPO_ROOT/scripts/gen-topology.sh" 0 3 --out "$T/bad"
	[ "$status" -eq 64 ]
	run "$REPO_ROOT/scripts/gen-topology.sh" 2 3 --lab 10.77.1 --out "$T/bad"
	[ "$status" -eq 64 ]
}

@test "gen-topology: the config passes --check and the zone has MX and P for every domain, some with a backup MX" {
	run "$MAIL_BIN/mail-server" --check --conf "$T/top/mail.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/top/users.txt")" -eq 40 ]
	# p3 owns two domains; every account's domain is one of its provider's
	grep -q '^    domains: \[p3.org\]' "$T/top/mail.yaml"
	grep -q '^user2@p3.org pw2 p3.example 127.0.0.1:'"$((BASE + 4))"'$' "$T/top/users.txt"
	start_bg mail-dns "$MAIL_BIN/mail-dns" --conf "$T/top/mail.yaml" >/dev/null
	wait_udp_dns $((BASE - 1)) 30
	local d
	for d in p1.example p2.example p3.example p3.org p4.example p5.example; do
		[ -n "$(dig @127.0.0.1 -p $((BASE - 1)) +short "$d" MX)" ] || { echo "no MX for $d"; return 1; }
	done
	run dig @127.0.0.1 -p $((BASE - 1)) +short p5.example MX
	[ "$(sort <<<"$output")" = "$(printf '10 mx.p5.example.\n20 mx2.p5.example.')" ]
	run dig @127.0.0.1 -p $((BASE - 1)) +short mx2.p5.example TYPE65280
	[ "$output" = "\\# 2 $(printf '%04X' $((BASE + 8)))" ]
	stop_one mail-dns
}

@test "gen-topology --lab: each provider on its own address with A records" {
	"$REPO_ROOT/scripts/gen-topology.sh" 3 2 --out "$T/lab" --lab 10.77 >/dev/null
	grep -q '^  listen: 10.77.1.2:53$' "$T/lab/mail.yaml"
	[ "$(grep -c '^    address: 10.77.[234].2$' "$T/lab/mail.yaml")" -eq 3 ]
	grep -q '^  mx.p2.example.: 10.77.3.2$' "$T/lab/zone.yaml"
	grep -q '^  mx.p2.example.: 25$' "$T/lab/zone.yaml"
	run "$MAIL_BIN/mail-server" --check --conf "$T/lab/mail.yaml"
	[ "$status" -eq 0 ]
}

@test "5 providers, 200 random messages: each delivered exactly once or bounced exactly once" {
	START_TIMEOUT=30 "$REPO_ROOT/scripts/start.sh" --conf "$T/top/mail.yaml" --data "$T/data"
	run python3 "$SIM" send "$T/top" --messages 200 --unknown 0.1 --sessions 4 --per-session 20 --seed 7
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q ' bounce ' "$T/top/plan.txt"
	run python3 "$SIM" check "$T/top" "$T/data" --wait 90
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"missing": 0, "duplicates": 0, "misplaced": 0, "unplanned": 0'* ]]
	# and no copy went anywhere else: every message file holds one planned token
	[ "$(grep -rl '^X-Sim-Token: sim' "$T"/data/*/mail | wc -l)" -eq 200 ]
}
