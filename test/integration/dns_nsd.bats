#!/usr/bin/env bats
# dns_nsd.bats - the zone served by a real DNS server: mail-dns --export-zone is accepted
# by nsd-checkzone, a private NSD (loopback port, own directory and pid file) serves it,
# and with mail-dns never started, mail relays between two providers and the agent finds
# its servers through dns.resolvers pointing at NSD.

bats_require_minimum_version 1.5.0

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	command -v nsd >/dev/null || skip "nsd is not installed (scripts/install-deps.sh test)"
	make_topology
	export NSD_PORT
	NSD_PORT=$(free_ports 1)
	# Everyone asks NSD; dns.listen (where mail-dns would be) stays unused.
	sed -i "s|^  zone: zone.yaml|&\n  resolvers: [127.0.0.1:$NSD_PORT]|" "$CONF"
	mkdir -p "$T/nsd"
	"$MAIL_BIN/mail-dns" --conf "$CONF" --export-zone >"$T/nsd/zone.db" 2>"$T/export.err"
	cat >"$T/nsd/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1
  port: $NSD_PORT
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$T/nsd"
  pidfile: "$T/nsd/nsd.pid"
  database: ""
  zonelistfile: "$T/nsd/zone.list"
  xfrdfile: "$T/nsd/xfrd.state"
  xfrdir: "$T/nsd"
  logfile: "$T/nsd/nsd.log"
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "$T/nsd/zone.db"
CONF
	start_bg nsd nsd -d -c "$T/nsd/nsd.conf" >/dev/null
	wait_udp_dns "$NSD_PORT" 30
	start_server exmail.qq.com
	start_server gmail.com
}

teardown_file() { common_teardown_file; }

nsd_q() { dig @127.0.0.1 -p "$NSD_PORT" +time=2 +tries=1 "$@"; }

@test "the exported zone has ORIGIN, TTL, SOA, NS and P in RFC 3597 form, and nsd-checkzone accepts it" {
	run cat "$T/nsd/zone.db"
	[[ "$output" == *$'\n$ORIGIN .\n$TTL 60\n@ IN SOA ns. hostmaster. '* ]]
	[[ "$output" == *$'\n@ IN NS ns.\n'* ]]
	[[ "$output" == *"gmail.com. IN MX 10 gmail-smtp-in.l.google.com."* ]]
	[[ "$output" == *"smtp.gmail.com. IN A 127.0.0.1"* ]]
	[[ "$output" == *"smtp.gmail.com. IN TYPE65280 \\# 2 $(printf '%04X' "$GM_SMTP")"* ]]
	[ ! -s "$T/export.err" ]
	run nsd-checkzone . "$T/nsd/zone.db"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"zone . is ok"* ]]
}

@test "named-checkzone (BIND) accepts the exported zone too" {
	command -v named-checkzone >/dev/null || skip "named-checkzone is not installed (bind9-utils)"
	run named-checkzone . "$T/nsd/zone.db"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"OK"* ]]
}

@test "--origin: names outside it are left out and named; the file still checks" {
	run --separate-stderr "$MAIL_BIN/mail-dns" --conf "$CONF" --export-zone --origin gmail.com.
	[ "$status" -eq 0 ]
	[[ "$output" == *$'$ORIGIN gmail.com.\n'* ]]
	[[ "$output" == *"pop.gmail.com. IN TYPE65280"* ]]
	[[ "$output" != *"qq.com"* ]]
	"$MAIL_BIN/mail-dns" --conf "$CONF" --export-zone --origin gmail.com 2>"$T/left.err" >"$T/gmail.db"
	grep -q "left out mxbiz1.qq.com: outside the origin gmail.com" "$T/left.err"
	run nsd-checkzone gmail.com "$T/gmail.db"
	[ "$status" -eq 0 ]
	run "$MAIL_BIN/mail-dns" --conf "$CONF" --origin gmail.com
	[ "$status" -eq 64 ]
}

@test "NSD answers the exported zone: MX, A, and TYPE65280 with the port" {
	run nsd_q +short gmail.com MX
	[ "$output" = "10 gmail-smtp-in.l.google.com." ]
	run nsd_q +short smtp.exmail.qq.com TYPE65280
	[ "$output" = "\\# 2 $(printf '%04X' "$EX_SMTP")" ]
	run nsd_q +short pop.gmail.com A
	[ "$output" = "127.0.0.1" ]
	run nsd_q nosuch.gmail.com MX
	[[ "$output" == *"status: NXDOMAIN"* ]]
}

@test "with mail-dns not running, mail relays both ways through NSD" {
	! grep -q mail-dns "$T/pids"
	! dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 gmail.com MX >/dev/null
	local bg bx
	bg=$(maildir_count usr@gmail.com gmail.com)
	bx=$(maildir_count usr1@mail.sustech.edu.cn exmail.qq.com)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "through nsd" usr@gmail.com
	send_mail "127.0.0.1:$GM_SMTP" usr@gmail.com "back through nsd" usr1@mail.sustech.edu.cn
	wait_count usr@gmail.com gmail.com $((bg + 1)) 30 >/dev/null
	wait_count usr1@mail.sustech.edu.cn exmail.qq.com $((bx + 1)) 30 >/dev/null
	mailbox_text usr@gmail.com gmail.com | grep -q '^Subject: through nsd'
	mailbox_text usr1@mail.sustech.edu.cn exmail.qq.com | grep -q '^Subject: back through nsd'
}

@test "with mail-dns not running, the agent finds its SMTP and POP3 servers through NSD" {
	run timeout 30 "$MAIL_BIN/mail-agent" --conf "$CONF" -e usr2@mail.sustech.edu.cn -p pass2 send \
		--to usr@gmail.com --subject "agent via nsd" --body-file /etc/hostname
	echo "$output"
	[ "$status" -eq 0 ]
	wait_count usr@gmail.com gmail.com 2 30 >/dev/null
	run timeout 30 "$MAIL_BIN/mail-agent" --conf "$CONF" -e usr@gmail.com -p pass pop stat
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" messages ("* ]]
}

@test "NSD and mail-dns give the same answers for every name and type of the zone (mail-dns started last)" {
	start_dns
	local name type mine theirs names
	names=$(awk '$1 ~ /\.:$/ { sub(/:$/, "", $1); print $1 }' "$T/zone.yaml" | sort -u)
	[ "$(wc -w <<<"$names")" -ge 8 ]
	for name in $names nosuch.gmail.com; do
		for type in MX A TYPE65280; do
			mine=$(dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 +short "$name" "$type" | sort)
			theirs=$(nsd_q +short "$name" "$type" | sort)
			[ "$mine" = "$theirs" ] || { echo "$name $type: mail-dns '$mine', NSD '$theirs'"; return 1; }
		done
	done
	stop_one mail-dns
}
