#!/usr/bin/env bats
# class_autoconfig.bats - mail clients configure themselves: each provider's HTTP server
# answers Thunderbird's autoconfig (checked by a parser of the documented fields, then
# used to log in), and mail-dns serves RFC 6186/8314 SRV records for every provider.

bats_require_minimum_version 1.5.0

load ../lib/common
load ../lib/relay
load ../lib/http

setup_file() {
	common_setup_file
	make_topology
	export EX_HTTP GM_HTTP
	read -r EX_HTTP GM_HTTP <<<"$(free_ports 2 | tr '\n' ' ')"
	add_http exmail.qq.com "$EX_HTTP"
	add_http gmail.com "{ port: $GM_HTTP, users: { admin: secret } }"
	# A name listed under SRV: in the zone file keeps the file's records.
	cat >>"$T/zone.yaml" <<YAML
SRV:
  - { name: _pop3s._tcp.gmail.com., priority: 5, weight: 2, port: 995, target: pop.gmail.com. }
YAML
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
	wait_port "$EX_HTTP" 30
	wait_port "$GM_HTTP" 30
}

teardown_file() { common_teardown_file; }

dns_q() { dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 +short "$@"; }

@test "the well-known autoconfig URL names the POP3 and SMTP servers, and they work as named" {
	curl -sf "http://127.0.0.1:$EX_HTTP/.well-known/autoconfig/mail/config-v1.1.xml" -o "$T/ex.xml"
	run python3 "$REPO_ROOT/test/lib/autoconfig_check.py" "$T/ex.xml" usr1@mail.sustech.edu.cn
	assert_success
	assert_line "incoming pop3 127.0.0.1 $EX_POP plain usr1@mail.sustech.edu.cn"
	assert_line "outgoing smtp 127.0.0.1 $EX_SMTP plain usr1@mail.sustech.edu.cn"
	grep -q '<emailProvider id="mail.sustech.edu.cn">' "$T/ex.xml"
	# A client following the answer: log in to the POP3 server it names, greet the SMTP one.
	local host port username
	read -r _ _ host port _ username <<<"$(grep '^incoming' <<<"$output")"
	run python3 -c 'import poplib,sys; p=poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10); p.user(sys.argv[3]); print(p.pass_(sys.argv[4]).decode()); p.quit()' "$host" "$port" "$username" pass1
	assert_success
	[[ "$output" == "+OK"* ]]
	read -r _ _ host port _ _ <<<"$(python3 "$REPO_ROOT/test/lib/autoconfig_check.py" "$T/ex.xml" | grep '^outgoing')"
	run python3 -c 'import smtplib,sys; s=smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10); print(s.ehlo()[0]); s.quit()' "$host" "$port"
	assert_output 250
}

@test "/mail/config-v1.1.xml?emailaddress= answers without the API's basic auth, for the server's own domains only" {
	run curl -s -o "$T/gm.xml" -w '%{http_code}' "http://127.0.0.1:$GM_HTTP/mail/config-v1.1.xml?emailaddress=usr%40gmail.com"
	assert_output 200
	run python3 "$REPO_ROOT/test/lib/autoconfig_check.py" "$T/gm.xml" usr@gmail.com
	assert_success
	assert_line "incoming pop3 127.0.0.1 $GM_POP plain usr@gmail.com"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GM_HTTP/mail/config-v1.1.xml?emailaddress=someone%40example.org"
	assert_output 404
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GM_HTTP/api/v1/info"
	assert_output 401
}

@test "mail-dns answers SRV for every provider's submission and POP3 services; a zone file SRV wins" {
	run dns_q _submission._tcp.mail.sustech.edu.cn SRV
	assert_output "0 1 $EX_SMTP smtp.exmail.qq.com."
	run dns_q _pop3._tcp.gmail.com SRV
	assert_output "0 1 $GM_POP pop.gmail.com."
	run dns_q _pop3s._tcp.gmail.com SRV
	assert_output "5 2 995 pop.gmail.com."
	# No smtps port: no _submissions record (the name is unknown).
	run dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 _submissions._tcp.gmail.com SRV
	[[ "$output" == *"status: NXDOMAIN"* ]]
	# The SRV target resolves (P and A) as every other host of the zone.
	run dns_q smtp.exmail.qq.com A
	assert_output 127.0.0.1
}

@test "--export-zone writes the SRV records, generated and listed" {
	run "$MAIL_BIN/mail-dns" --conf "$CONF" --export-zone
	assert_success
	assert_line "_submission._tcp.mail.sustech.edu.cn. IN SRV 0 1 $EX_SMTP smtp.exmail.qq.com."
	assert_line "_pop3._tcp.gmail.com. IN SRV 0 1 $GM_POP pop.gmail.com."
	assert_line "_pop3s._tcp.gmail.com. IN SRV 5 2 995 pop.gmail.com."
}
