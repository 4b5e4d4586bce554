#!/usr/bin/env bats
# lab_class.bats - scripts/lab.sh up --providers 10 --class: ten providers in network
# namespaces of their own, in no zone file, register themselves in mail-dns (the lab's
# registry) and exchange 1,000 messages, each delivered exactly once. Skipped (counted)
# where namespaces cannot be created.

load ../lib/common

PROVIDERS=10
PER_PROVIDER=100 # messages each provider's users send: 1,000 in all

setup_file() {
	common_setup_file
	export LAB_PREFIX="lc$$" LAB_DIR=$T/lab LAB=$REPO_ROOT/scripts/lab.sh
	if ! ip netns add "$LAB_PREFIX-probe" 2>"$T/netns.err"; then
		export LAB_SKIP="cannot create network namespaces: $(cat "$T/netns.err")"
		return 0
	fi
	ip netns del "$LAB_PREFIX-probe"
	timeout 120 "$LAB" up --providers "$PROVIDERS" --routers 2 --class >"$T/up.log" 2>&1 || { cat "$T/up.log" >&2; return 1; }
}

teardown_file() {
	[ -z "${LAB_SKIP:-}" ] && "$LAB" down >/dev/null 2>&1
	common_teardown_file
}

setup() {
	[ -z "${LAB_SKIP:-}" ] || skip "$LAB_SKIP"
}

@test "lab --class: the zone file starts empty and every provider registers itself" {
	# mail-dns runs on its own registry config, with no provider in it
	grep -q 'servers: {}' "$LAB_DIR/registry.yaml"
	grep -q "registry.yaml" "$LAB_DIR/logs/mail-dns.log" || grep -q "registry-zone.yaml" "$LAB_DIR/logs/mail-dns.log"
	local i
	for ((i = 1; i <= PROVIDERS; i++)); do
		run "$LAB" exec dns dig @10.77.1.2 +short "p$i.example" MX
		[ "$output" = "10 mail.p$i.example." ]
		run "$LAB" exec dns dig @10.77.1.2 +short "mail.p$i.example" A
		[ "$output" = "10.77.$((i + 1)).2" ]
		grep -q "dns registered zone=example host=mail.p$i.example" "$LAB_DIR/logs/p$i.example.log"
	done
	grep -q "mail.p$PROVIDERS.example" "$LAB_DIR/registry-zone.yaml"
}

@test "lab --class: 1,000 messages between the ten providers, each delivered exactly once" {
	local i senders=()
	for ((i = 1; i <= PROVIDERS; i++)); do
		# provider i's users send to the next providers in turn, from inside its namespace
		"$LAB" exec "p$i" python3 - "$i" "$PROVIDERS" "$PER_PROVIDER" >"$T/send-$i.log" 2>&1 <<'PY' &
import smtplib, sys
i, n, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
with smtplib.SMTP("10.77.%d.2" % (i + 1), 25, "lab-class", timeout=60) as s:
    for k in range(count):
        to = "user%d@p%d.example" % (1 + k % 2, (i + k % (n - 1)) % n + 1)
        s.sendmail("user1@p%d.example" % i, [to],
                   "From: user1@p%d.example\r\nTo: %s\r\nSubject: class %d-%d\r\n\r\nmessage %d of provider %d\r\n"
                   % (i, to, i, k, k, i))
PY
		senders+=($!)
	done
	# the senders only: a bare wait would also wait for bats' own timeout watchdog
	wait "${senders[@]}"
	cat "$T"/send-*.log
	# counted by a glob, not find | wc: up to 1,800 looks, none starting a process
	local total=0 k delivered
	for ((k = 0; k < 1800; k++)); do
		delivered=("$LAB_DIR"/data/*/mail/*/new/*)
		total=${#delivered[@]}
		[ -e "${delivered[0]}" ] || total=0
		[ "$total" -lt $((PROVIDERS * PER_PROVIDER)) ] || break
		nap 0.1
	done
	[ "$total" -eq $((PROVIDERS * PER_PROVIDER)) ]
	# exactly once: 1,000 distinct subjects, none twice, and no message left in a queue
	run bash -c "grep -h '^Subject: class ' '$LAB_DIR'/data/*/mail/*/new/* | sort | uniq -d"
	[ -z "$output" ]
	[ "$(grep -h '^Subject: class ' "$LAB_DIR"/data/*/mail/*/new/* | sort -u | wc -l)" -eq $((PROVIDERS * PER_PROVIDER)) ]
	[ -z "$(find "$LAB_DIR"/data/*/queue -maxdepth 1 \( -name '*.mail' -o -name '*.env' \) 2>/dev/null)" ]
}

@test "lab --class: a provider that stops withdraws its records; the others stay" {
	local pid i
	pid=$(cat "$LAB_DIR/logs/p1.example.pid")
	kill -TERM "$pid"
	for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; nap 0.05; done
	grep -q 'dns withdrawn zone=example' "$LAB_DIR/logs/p1.example.log"
	run "$LAB" exec dns dig @10.77.1.2 +short p1.example MX
	[ -z "$output" ]
	run "$LAB" exec dns dig @10.77.1.2 +short p2.example MX
	[ "$output" = "10 mail.p2.example." ]
}
