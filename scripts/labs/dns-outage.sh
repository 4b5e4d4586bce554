#!/usr/bin/env bash
# dns-outage.sh - the peer's name gets no DNS answer, then SERVFAIL: the relay defers, then delivers.
. "$(dirname "$0")/lib.sh"

lab_begin dns-outage <<'TEXT'
Before sending, a relay must find where the recipient's domain takes mail: an MX query,
then the exchanger's port and address. When DNS does not answer (a timeout) or answers
SERVFAIL ("the server failed", RCODE 2), the relay cannot tell whether the domain exists,
so it must not bounce: it defers (status 4.4.3) and retries. Only NXDOMAIN ("no such
name") is final (the bounce lab shows that).
A stand-in DNS proxy (scripts/labs/dns_proxy.py) sits between the providers and mail-dns:
  1. it drops every query for gmail.com for a few seconds, while usr1@mail.sustech.edu.cn
     sends to usr@gmail.com; then it answers again;
  2. it answers SERVFAIL for mail.sustech.edu.cn for a few seconds, while usr@gmail.com
     sends to usr1@mail.sustech.edu.cn; then it answers again.
Each message is deferred while DNS fails and delivered at the first retry after it is back.
TEXT

lab_topology
lab_ports REAL_DNS
: >"$LAB/dns-mode"
python3 "$labs_dir/dns_proxy.py" --listen "$DNS_PORT" --upstream "$REAL_DNS" --mode-file "$LAB/dns-mode" \
	>"$LAB/proxy.ready" 2>"$LAB/data/dns-proxy.log" &
lab_on_exit "kill $!"
lab_wait 10 grep -q ready "$LAB/proxy.ready" || { echo "FAIL: the DNS proxy did not start"; exit 1; }
"$bin/mail-dns" --conf "$LAB/mail.yaml" --listen "127.0.0.1:$REAL_DNS" >"$LAB/data/mail-dns.log" 2>&1 &
echo $! >"$LAB/data/mail-dns.pid"
lab_wait 10 dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 gmail.com MX || { echo "FAIL: mail-dns did not answer"; exit 1; }
lab_start exmail.qq.com gmail.com

step "1. the DNS proxy drops every query for gmail.com"
echo "drop gmail.com" >"$LAB/dns-mode"
dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 gmail.com MX | grep -E 'timed out|no servers' | show
lab_send "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com "sent during a DNS outage" | show
lab_wait 15 log_has exmail.qq.com 'relay deferred to=<usr@gmail.com>'
log_of exmail.qq.com 'relay deferred' | show
step "DNS answers for gmail.com again"
: >"$LAB/dns-mode"
lab_wait 15 has_mail gmail.com usr@gmail.com 1
log_of exmail.qq.com 'relay delivered' | show

step "2. the DNS proxy answers SERVFAIL for mail.sustech.edu.cn"
echo "servfail mail.sustech.edu.cn" >"$LAB/dns-mode"
dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 mail.sustech.edu.cn MX | grep -o 'status: [A-Z]*' | show
lab_send "127.0.0.1:$GM_SMTP" usr@gmail.com usr1@mail.sustech.edu.cn "sent while DNS said SERVFAIL" | show
lab_wait 15 log_has gmail.com 'relay deferred to=<usr1@mail.sustech.edu.cn>' 2
log_of gmail.com 'relay deferred' | show
step "DNS answers for mail.sustech.edu.cn again"
: >"$LAB/dns-mode"
lab_wait 15 has_mail exmail.qq.com usr1@mail.sustech.edu.cn 1
log_of gmail.com 'relay delivered' | show
echo "    what the DNS proxy did:"
log_of dns-proxy | sed 's/^[0-9:]* //' | uniq -c | show

echo
check "during the outage exmail.qq.com deferred with 4.4.3 (no bounce)" log_has exmail.qq.com 'relay deferred to=<usr@gmail.com> .*status=4.4.3'
check "the message arrived once DNS answered" has_mail gmail.com usr@gmail.com 1
check "SERVFAIL: gmail.com deferred with 4.4.3 (no bounce)" log_has gmail.com 'relay deferred to=<usr1@mail.sustech.edu.cn> .*status=4.4.3'
check "the message arrived once DNS answered" has_mail exmail.qq.com usr1@mail.sustech.edu.cn 1
check "nobody got a bounce" eval "! grep -qs 'Undelivered Mail' $LAB/data/*/mail/*/new/*"
lab_end
