#!/usr/bin/env bats
# dns.bats - mail-dns through the real binary with dig: records, errors, EDNS, reload, exit codes.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	cp "$REPO_ROOT/conf/zone.yaml" "$T/zone.yaml" # the SPEC.md demo zone (smtp.gmail.com: 2025)
	start_dns
}

teardown_file() { common_teardown_file; }

q() { dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 "$@"; }

dns_pid() { awk '$2 == "mail-dns" { print $1 }' "$T/pids"; }

# udp_raw HEX: sends one datagram to mail-dns, prints the reply as hex ("" after 1 s of silence).
udp_raw() {
	python3 - "$DNS_PORT" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", int(sys.argv[1])))
try: print(s.recvfrom(4096)[0].hex())
except socket.timeout: print("")
PY
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds or the time is up.
wait_for() {
	local limit=$1 i; shift
	for ((i = 0; i < limit * 10; i++)); do "$@" && return 0; nap 0.1; done
	return 1
}

@test "MX +short prints preference and exchange" {
	run q gmail.com MX +short
	[ "$status" -eq 0 ]
	[ "$output" = "10 gmail-smtp-in.l.google.com." ]
	run q mail.sustech.edu.cn MX +short
	[ "$output" = "10 mxbiz1.qq.com." ]
}

@test "TYPE65280 shows the port in RFC 3597 form" {
	run q smtp.gmail.com TYPE65280 +short
	[ "$output" = '\# 2 07E9' ]
	run q pop.exmail.qq.com TYPE65280 +short
	[ "$output" = '\# 2 0C26' ]
}

@test "A for a name with a P record and no A record is 127.0.0.1" {
	run q smtp.gmail.com A +short
	[ "$output" = "127.0.0.1" ]
}

@test "unknown name is NXDOMAIN with AA" {
	run q nosuch.gmail.com MX
	[[ "$output" == *"status: NXDOMAIN"* ]]
	[[ "$output" == *"flags: qr aa rd;"* ]]
}

@test "mixed-case names answer and the question is echoed as asked" {
	run q GMail.COM MX +short
	[ "$output" = "10 gmail-smtp-in.l.google.com." ]
	run q SMTP.Gmail.Com. TYPE65280 +noall +question +answer
	[[ "$output" == *";SMTP.Gmail.Com."*"TYPE65280"* ]]
	[[ "$output" == *'\# 2 07E9'* ]]
}

@test "known name without the type is NOERROR with no answer (NODATA)" {
	run q smtp.gmail.com MX
	[[ "$output" == *"status: NOERROR"* ]]
	[[ "$output" == *"ANSWER: 0,"* ]]
	run q gmail.com A
	[[ "$output" == *"status: NOERROR"* ]]
	[[ "$output" == *"ANSWER: 0,"* ]]
}

@test "opcode other than QUERY is NOTIMP" {
	run q +opcode=status gmail.com MX
	[[ "$output" == *"opcode: STATUS, status: NOTIMP"* ]]
	run q +opcode=update gmail.com MX
	[[ "$output" == *"status: NOTIMP"* ]]
}

@test "malformed queries get FORMERR, non-queries get nothing" {
	# QDCOUNT 2 with one question: id 0x1234, RD, FORMERR (rcode 1) with QR set
	run udp_raw "123401000002000000000000056770616d6c03636f6d00000f0001"
	[ "$output" = "123481010000000000000000" ]
	# QDCOUNT 0
	run udp_raw "abcd00000000000000000000"
	[ "$output" = "abcd80010000000000000000" ]
	# compression pointer loop in the question
	run udp_raw "0001010000010000000000000161c00c00010001"
	[ "$output" = "000181010000000000000000" ]
	# label running past the end
	run udp_raw "0002010000010000000000003f6162"
	[ "$output" = "000281010000000000000000" ]
	# 5 octets (no header) and a reply (QR set): silence
	run udp_raw "0102030405"
	[ "$output" = "" ]
	run udp_raw "abcd81000001000000000000056770616d6c03636f6d00000f0001"
	[ "$output" = "" ]
}

@test "EDNS queries get an OPT with 1232, plain queries none" {
	run q gmail.com MX
	[[ "$output" == *"; EDNS: version: 0, flags:; udp: 1232"* ]]
	run q +noedns gmail.com MX
	[[ "$output" != *"OPT PSEUDOSECTION"* ]]
	[[ "$output" == *"10 gmail-smtp-in.l.google.com."* ]]
	run q +edns=1 +noednsnegotiation gmail.com MX
	[[ "$output" == *"status: BADVERS"* ]]
}

@test "ANY over UDP answers every record; class CHAOS is REFUSED" {
	run q +notcp smtp.gmail.com ANY +short
	[[ "$output" == *"127.0.0.1"* ]]
	[[ "$output" == *'\# 2 07E9'* ]]
	run q gmail.com CH TXT
	[[ "$output" == *"status: REFUSED"* ]]
}

@test "SIGHUP reload: an edited zone is seen, a broken one keeps the old answers and logs file:line" {
	local pid zone=$T/zone.yaml
	pid=$(dns_pid)
	cp "$zone" "$T/zone.orig"
	sed -i 's/smtp.gmail.com.: 2025/smtp.gmail.com.: 2026/' "$zone"
	printf 'A:\n  new.example: 10.9.8.7\n' >>"$zone"
	kill -HUP "$pid"
	wait_for 30 bash -c "[ \"\$(dig @127.0.0.1 -p $DNS_PORT +short new.example A)\" = 10.9.8.7 ]"
	run q smtp.gmail.com TYPE65280 +short
	[ "$output" = '\# 2 07EA' ]
	grep -q "reloaded zone=$zone" "$T/mail-dns.log"

	printf 'P:\n  smtp.gmail.com.: 99999\n' >"$zone"
	kill -HUP "$pid"
	wait_for 30 grep -q "reload failed" "$T/mail-dns.log"
	grep -E "reload failed.*zone.yaml:2: .*smtp.gmail.com" "$T/mail-dns.log"
	run q smtp.gmail.com TYPE65280 +short
	[ "$output" = '\# 2 07EA' ]
	run q new.example A +short
	[ "$output" = "10.9.8.7" ]
	kill -0 "$pid"

	cp "$T/zone.orig" "$zone"
	kill -HUP "$pid"
	wait_for 30 bash -c "[ \"\$(dig @127.0.0.1 -p $DNS_PORT +short smtp.gmail.com TYPE65280)\" = '\# 2 07E9' ]"
}

@test "repeated questions (answered from the workers' caches) follow a reload at once" {
	local pid zone=$T/zone.yaml i reloads
	pid=$(dns_pid)
	cp "$zone" "$T/zone.before-cache"
	reloads=$(grep -c "reloaded zone=" "$T/mail-dns.log" || true)
	# +nocookie: the same bytes but the ID each time, so every worker keeps and reuses its reply
	for ((i = 0; i < 20; i++)); do
		[ "$(q +nocookie +short smtp.gmail.com TYPE65280)" = '\# 2 07E9' ]
	done
	sed -i 's/smtp.gmail.com.: 2025/smtp.gmail.com.: 2027/' "$zone"
	kill -HUP "$pid"
	wait_for 30 bash -c "[ \$(grep -c 'reloaded zone=' '$T/mail-dns.log') -gt $reloads ]"
	for ((i = 0; i < 20; i++)); do
		[ "$(q +nocookie +short smtp.gmail.com TYPE65280)" = '\# 2 07EB' ]
	done
	cp "$T/zone.before-cache" "$zone"
	kill -HUP "$pid"
	wait_for 30 bash -c "[ \"\$(dig @127.0.0.1 -p $DNS_PORT +nocookie +short smtp.gmail.com TYPE65280)\" = '\# 2 07E9' ]"
}

@test "bad configuration or zone at start exits 78 naming file and key" {
	printf 'dns:\n  listen: 127.0.0.1:99999\n' >"$T/bad.yaml"
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$T/bad.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad.yaml:2"*"dns.listen"* ]]

	printf 'dns:\n  zone: missing-zone.yaml\n  bogus: 1\n' >"$T/bad2.yaml"
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$T/bad2.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad2.yaml:3"*"bogus"* ]]

	printf 'MX:\n  gmail.com: gmail-smtp-in.l.google.com\nP:\n  smtp.gmail.com: 99999\n' >"$T/badzone.yaml"
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$CONF" --zone "$T/badzone.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"badzone.yaml:4"*"smtp.gmail.com"* ]]

	printf 'dns:\n  busy_poll_us: 5000\n' >"$T/bad3.yaml"
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$T/bad3.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad3.yaml:2"*"dns.busy_poll_us"* ]]

	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$T/no-such-file.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"no-such-file.yaml"* ]]
}

@test "a port already served exits 69 instead of sharing it" {
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$CONF"
	[ "$status" -eq 69 ]
	[[ "$output" == *"cannot start listen=127.0.0.1:$DNS_PORT"* ]]
}

@test "bad usage exits 64" {
	run timeout 10 "$MAIL_BIN/mail-dns" --bogus
	[ "$status" -eq 64 ]
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$CONF" extra-argument
	[ "$status" -eq 64 ]
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$CONF" --listen nonsense
	[ "$status" -eq 64 ]
	[[ "$output" == *"--listen"* ]]
	run timeout 10 "$MAIL_BIN/mail-dns" --conf "$CONF" --threads 0
	[ "$status" -eq 64 ]
	run timeout 10 "$MAIL_BIN/mail-dns" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--zone"* ]]
}

@test "--listen and --zone override the config; SIGTERM and SIGINT exit 0" {
	local port sig pid rc
	for sig in TERM INT; do
		port=$(free_ports 1)
		"$MAIL_BIN/mail-dns" --listen "127.0.0.1:$port" --zone "$REPO_ROOT/conf/zone.yaml" --threads 1 \
			>"$T/own-$sig.log" 2>&1 &
		pid=$!
		wait_udp_dns "$port" 30
		[ "$(dig @127.0.0.1 -p "$port" +short gmail.com MX)" = "10 gmail-smtp-in.l.google.com." ]
		kill -"$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 0 ]
		grep -q "stopped signal=$sig" "$T/own-$sig.log"
	done
}
