#!/usr/bin/env bats
# agent_ping.bats - mail-agent ping and trace on loopback, name lookups, exit statuses.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	# a pseudo-DNS name with an A record, and one with only a P record (-> 127.0.0.1)
	cat >>"$T/zone.yaml" <<YAML
A:
  loopback-host.test.: 127.0.0.1
YAML
	start_dns
}

teardown_file() { common_teardown_file; }

@test "ping 127.0.0.1 -c 3 prints three replies and the summary" {
	run timeout 20 "$MAIL_BIN/mail-agent" ping 127.0.0.1 -c 3 -i 0.2
	echo "$output"
	[ "$status" -eq 0 ]
	for seq in 1 2 3; do
		grep -qE "^[0-9]+ bytes from 127\.0\.0\.1: icmp_seq=$seq ttl=[0-9]+ time=[0-9]+\.[0-9]{2} ms$" <<<"$output"
	done
	[ "$(grep -c 'bytes from' <<<"$output")" -eq 3 ]
	grep -qx -- '--- 127.0.0.1 ping statistics ---' <<<"$output"
	grep -qx '3 packets transmitted, 3 received, 0% packet loss' <<<"$output"
	grep -qE '^rtt min/avg/max/stdev = [0-9]+\.[0-9]{2}/[0-9]+\.[0-9]{2}/[0-9]+\.[0-9]{2}/[0-9]+\.[0-9]{2} ms$' <<<"$output"
}

@test "ping of an unknown host is a clear error with exit status 2" {
	run timeout 20 "$MAIL_BIN/mail-agent" ping no-such-host.invalid --conf "$CONF"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown host no-such-host.invalid"* ]]
	run timeout 20 "$MAIL_BIN/mail-agent" trace no-such-host.invalid --conf "$CONF"
	[ "$status" -eq 2 ]
}

@test "ping of a pseudo-DNS name uses its A record from mail-dns" {
	run timeout 20 "$MAIL_BIN/mail-agent" ping loopback-host.test -c 1 --conf "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "PING loopback-host.test (127.0.0.1)"* ]]
	# a name with only a P record resolves to 127.0.0.1 (SPEC.md)
	run timeout 20 "$MAIL_BIN/mail-agent" ping smtp.gmail.com -c 1 --conf "$CONF"
	[ "$status" -eq 0 ]
	[[ "$output" == "PING smtp.gmail.com (127.0.0.1)"* ]]
}

@test "trace 127.0.0.1 reaches it in one hop" {
	run timeout 20 "$MAIL_BIN/mail-agent" trace 127.0.0.1
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE '^ 1  [0-9]+\.[0-9]{2} ms  127\.0\.0\.1  localhost$' <<<"$output"
	[ "$(grep -cE '^ *[0-9]+  ' <<<"$output")" -eq 1 ]
}

@test "bad usage exits 64 and a bad config exits 78" {
	run "$MAIL_BIN/mail-agent" ping
	[ "$status" -eq 64 ]
	run "$MAIL_BIN/mail-agent" ping 127.0.0.1 -c zero
	[ "$status" -eq 64 ]
	[[ "$output" == *"-c wants a whole number"* ]]
	run "$MAIL_BIN/mail-agent" -e usr1@mail.sustech.edu.cn
	[ "$status" -eq 64 ]
	printf 'dns:\n  listen: 127.0.0.1:1\n  bogus: 1\n' >"$T/bad.yaml"
	run "$MAIL_BIN/mail-agent" -e a@b.c -p x --conf "$T/bad.yaml"
	echo "$output"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad.yaml"* ]]
}
